import type { FloatTensor } from '../tensor/tensor';
import type { RasterImage } from './image';

export type Layout = 'NCHW' | 'NHWC';

/** How 8-bit pixels become model input values. */
export interface PixelEncoding {
  layout: Layout;
  /** Values the model expects before mean/std: [0,1], [0,255], [-1,1]... */
  range: [number, number];
  mean: [number, number, number];
  std: [number, number, number];
  channelOrder: 'RGB' | 'BGR';
}

export const PLAIN_NCHW: PixelEncoding = { layout: 'NCHW', range: [0, 1], mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'RGB' };

/** Packs same-sized RGB images into one batch tensor per the encoding. */
export function imagesToTensor(images: readonly RasterImage[], enc: PixelEncoding): FloatTensor {
  if (images.length === 0) throw new Error('imagesToTensor needs at least one image');
  const { width: w, height: h } = images[0];
  const plane = w * h;
  const data = new Float32Array(images.length * 3 * plane);
  const [lo, hi] = enc.range;
  const scale = (hi - lo) / 255;
  for (let b = 0; b < images.length; b++) {
    const img = images[b];
    if (img.width !== w || img.height !== h) throw new Error('imagesToTensor needs images of one size');
    const base = b * 3 * plane;
    for (let c = 0; c < 3; c++) {
      const src = enc.channelOrder === 'BGR' ? 2 - c : c;
      const mul = scale / enc.std[c];
      const add = (lo - enc.mean[c]) / enc.std[c];
      for (let p = 0; p < plane; p++) {
        const v = img.data[p * img.channels + src] * mul + add;
        if (enc.layout === 'NCHW') data[base + c * plane + p] = v;
        else data[base + p * 3 + c] = v;
      }
    }
  }
  const dims = enc.layout === 'NCHW' ? [images.length, 3, h, w] : [images.length, h, w, 3];
  return { type: 'float32', dims, data };
}

/** Inverse of imagesToTensor for one batch entry, rounding to 8 bits. */
export function tensorToImage(tensor: FloatTensor, index: number, enc: PixelEncoding): RasterImage {
  const [, d1, d2, d3] = tensor.dims;
  const [h, w] = enc.layout === 'NCHW' ? [d2, d3] : [d1, d2];
  const plane = w * h;
  const out = new Uint8Array(plane * 3);
  const [lo, hi] = enc.range;
  const base = index * 3 * plane;
  for (let c = 0; c < 3; c++) {
    const dst = enc.channelOrder === 'BGR' ? 2 - c : c;
    for (let p = 0; p < plane; p++) {
      const x = enc.layout === 'NCHW' ? tensor.data[base + c * plane + p] : tensor.data[base + p * 3 + c];
      const v = ((x * enc.std[c] + enc.mean[c] - lo) / (hi - lo)) * 255;
      out[p * 3 + dst] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { width: w, height: h, channels: 3, data: out };
}
