import sharp from 'sharp';
import { floatTensor, type FloatTensor } from '../tensor/tensor';
import { straightThrough, type PixelTransform, type TransformStep } from './transform';

/**
 * JPEG re-compression (Dziugaite et al. 2016; Guo et al. 2018): encode each image as an 8-bit
 * JPEG at the given quality with libvips and decode it again. Quantising DCT coefficients is
 * not differentiable, so the backward pass is BPDA's identity.
 */
export class JpegCompression implements PixelTransform {
  readonly name = 'jpeg';
  readonly randomised = false;
  readonly differentiable = false;

  constructor(readonly quality: number) {}

  async apply(pixels: FloatTensor): Promise<TransformStep> {
    const [n, c, h, w] = pixels.dims;
    const plane = h * w;
    const out = floatTensor(pixels.dims);
    for (let s = 0; s < n; s++) {
      const rgb = Buffer.alloc(plane * c);
      for (let ch = 0; ch < c; ch++)
        for (let p = 0; p < plane; p++) rgb[p * c + ch] = Math.round(Math.min(1, Math.max(0, pixels.data[(s * c + ch) * plane + p])) * 255);
      const jpeg = await sharp(rgb, { raw: { width: w, height: h, channels: c as 3 } }).jpeg({ quality: this.quality, chromaSubsampling: '4:2:0' }).toBuffer();
      const decoded = await sharp(jpeg).raw().toBuffer();
      for (let ch = 0; ch < c; ch++) for (let p = 0; p < plane; p++) out.data[(s * c + ch) * plane + p] = decoded[p * c + ch] / 255;
    }
    return { output: out, backward: straightThrough };
  }
}
