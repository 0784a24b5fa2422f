import { describe, expect, it } from 'vitest';
import { decodeImage, encodeImage } from '../../../src/engine/image/image';
import { resizeImage, unmapBox } from '../../../src/engine/image/resize';
import { imagesToTensor, tensorToImage, type PixelEncoding } from '../../../src/engine/image/tensorize';
import type { RasterImage } from '../../../src/engine/image/image';
import { imageFixture } from '../../helpers/paths';

/** A 4x2 image whose pixel (x, y) has RGB = (10x, 100 + y, 200). */
function gradient(): RasterImage {
  const w = 4;
  const h = 2;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data.set([10 * x, 100 + y, 200], (y * w + x) * 3);
  return { width: w, height: h, channels: 3, data };
}

describe('image decoding and encoding', () => {
  it('decodes JPEG to RGB and round-trips PNG losslessly', async () => {
    const dog = await decodeImage(imageFixture('dog.jpg'));
    expect(dog.channels).toBe(3);
    expect(dog.width).toBe(480);
    expect(dog.data.length).toBe(dog.width * dog.height * 3);
    const png = await encodeImage(gradient(), 'png');
    const back = await decodeImage(png);
    expect(Array.from(back.data)).toEqual(Array.from(gradient().data));
  });

  it('fails with one line naming the file for undecodable input', async () => {
    await expect(decodeImage(Buffer.from('not an image'), { label: 'bad.jpg' })).rejects.toThrow(/^bad\.jpg: cannot decode image/);
    await expect(decodeImage('/nonexistent/photo.jpg')).rejects.toThrow('/nonexistent/photo.jpg: no such file');
  });
});

describe('tensor layouts and normalisation', () => {
  const nchw: PixelEncoding = { layout: 'NCHW', range: [0, 1], mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'RGB' };

  it('packs NCHW planes and NHWC pixels from the same image', () => {
    const img = gradient();
    const a = imagesToTensor([img], nchw);
    expect(a.dims).toEqual([1, 3, 2, 4]);
    // R plane, pixel (x=3, y=1) -> 30/255; G plane pixel (0,1) -> 101/255.
    expect(a.data[1 * 4 + 3]).toBeCloseTo(30 / 255, 6);
    expect(a.data[8 + 1 * 4 + 0]).toBeCloseTo(101 / 255, 6);
    const b = imagesToTensor([img], { ...nchw, layout: 'NHWC' });
    expect(b.dims).toEqual([1, 2, 4, 3]);
    expect(b.data[(1 * 4 + 3) * 3 + 0]).toBeCloseTo(30 / 255, 6);
    expect(b.data[(1 * 4 + 0) * 3 + 1]).toBeCloseTo(101 / 255, 6);
  });

  it('applies range, mean, std and BGR order, and inverts exactly', () => {
    const enc: PixelEncoding = { layout: 'NCHW', range: [0, 255], mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], channelOrder: 'BGR' };
    const img = gradient();
    const t = imagesToTensor([img, img], enc);
    expect(t.dims).toEqual([2, 3, 2, 4]);
    // First plane is blue (200) in BGR order, normalised with the first mean/std.
    expect(t.data[0]).toBeCloseTo((200 - 123.675) / 58.395, 5);
    const back = tensorToImage(t, 1, enc);
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
  });
});

describe('resizing', () => {
  it('letterboxes with the aspect ratio kept and maps boxes back to the original', async () => {
    const img: RasterImage = { width: 200, height: 100, channels: 3, data: new Uint8Array(200 * 100 * 3).fill(255) };
    const { image, transform } = await resizeImage(img, 64, 64, { mode: 'letterbox', padColor: [0, 0, 0] });
    expect(image.width).toBe(64);
    expect(image.height).toBe(64);
    expect(transform).toEqual({ scaleX: 0.32, scaleY: 0.32, offsetX: 0, offsetY: 16 });
    // Padding rows are black, content rows white.
    expect(image.data[0]).toBe(0);
    expect(image.data[(32 * 64 + 32) * 3]).toBe(255);
    expect(unmapBox([0, 16, 64, 48], transform)).toEqual([0, 0, 200, 100]);
  });

  it('stretches to the exact size', async () => {
    const { image, transform } = await resizeImage(gradient(), 8, 8);
    expect([image.width, image.height]).toEqual([8, 8]);
    expect(transform.scaleX).toBe(2);
    expect(transform.scaleY).toBe(4);
  });
});
