import { floatTensor, type FloatTensor } from '../tensor/tensor';
import type { PixelEncoding } from './tensorize';

/**
 * Pixel space (NCHW RGB float in [0,1]) to a model's own input encoding: value range,
 * mean/std, channel order and layout — the float counterpart of imagesToTensor, for feeding
 * perturbed images that are not 8-bit yet.
 */
export function encodePixels(pixels: FloatTensor, enc: PixelEncoding): FloatTensor {
  const [n, c, h, w] = pixels.dims;
  if (c !== 3) throw new Error(`encodePixels needs RGB pixels, got ${c} channels`);
  const plane = h * w;
  const out = new Float32Array(pixels.data.length);
  const [lo, hi] = enc.range;
  for (let b = 0; b < n; b++) {
    const base = b * 3 * plane;
    for (let ch = 0; ch < 3; ch++) {
      const dst = enc.channelOrder === 'BGR' ? 2 - ch : ch;
      const mul = (hi - lo) / enc.std[dst];
      const add = (lo - enc.mean[dst]) / enc.std[dst];
      for (let p = 0; p < plane; p++) {
        const v = pixels.data[base + ch * plane + p] * mul + add;
        if (enc.layout === 'NCHW') out[base + dst * plane + p] = v;
        else out[base + p * 3 + dst] = v;
      }
    }
  }
  return floatTensor(enc.layout === 'NCHW' ? [n, 3, h, w] : [n, h, w, 3], out);
}
