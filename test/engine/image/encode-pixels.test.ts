import { describe, expect, it } from 'vitest';
import { encodePixels } from '../../../src/engine/image/encode-pixels';
import { imagesToTensor, type PixelEncoding } from '../../../src/engine/image/tensorize';
import { BilinearResampler } from '../../../src/engine/image/resample';
import { floatTensor } from '../../../src/engine/tensor/tensor';

describe('encodePixels', () => {
  it('matches imagesToTensor on 8-bit images for every layout, range, mean/std and channel order', () => {
    const w = 5;
    const h = 3;
    const data = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256);
    const pixels = floatTensor([1, 3, h, w]);
    for (let c = 0; c < 3; c++) for (let p = 0; p < w * h; p++) pixels.data[c * w * h + p] = data[p * 3 + c] / 255;
    const encodings: PixelEncoding[] = [
      { layout: 'NCHW', range: [0, 1], mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'RGB' },
      { layout: 'NHWC', range: [0, 255], mean: [1, 2, 3], std: [2, 3, 4], channelOrder: 'BGR' },
      { layout: 'NCHW', range: [-1, 1], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channelOrder: 'BGR' },
    ];
    for (const enc of encodings) {
      const expected = imagesToTensor([{ width: w, height: h, channels: 3, data }], enc);
      const got = encodePixels(pixels, enc);
      expect(got.dims).toEqual(expected.dims);
      got.data.forEach((v, i) => expect(v).toBeCloseTo(expected.data[i], 4));
    }
  });
});

describe('BilinearResampler', () => {
  it('interpolates a linear ramp exactly inside the image and has an exact adjoint', () => {
    const op = new BilinearResampler(4, 4, 8, 8);
    const ramp = Float32Array.from({ length: 16 }, (_, i) => i % 4);
    const out = new Float32Array(64);
    op.forward(ramp, 0, out, 0);
    // Output x = 3 maps to input (3.5)/2 - 0.5 = 1.25.
    expect(out[3]).toBeCloseTo(1.25, 6);
    const y = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const back = new Float32Array(16);
    op.adjoint(y, 0, back, 0);
    const lhs = out.reduce((a, v, i) => a + v * y[i], 0);
    const rhs = ramp.reduce((a, v, i) => a + v * back[i], 0);
    expect(lhs).toBeCloseTo(rhs, 4);
  });
});
