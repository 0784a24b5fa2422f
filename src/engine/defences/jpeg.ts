import sharp from 'sharp';
import { imagesToTensor, PLAIN_NCHW, tensorToImage } from '../image/tensorize';
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
    const [n, , h, w] = pixels.dims;
    const out = floatTensor(pixels.dims);
    for (let s = 0; s < n; s++) {
      const rgb = tensorToImage(pixels, s, PLAIN_NCHW);
      const jpeg = await sharp(rgb.data, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: this.quality, chromaSubsampling: '4:2:0' }).toBuffer();
      const decoded = await sharp(jpeg).raw().toBuffer();
      out.data.set(imagesToTensor([{ width: w, height: h, channels: 3, data: decoded }], PLAIN_NCHW).data, s * 3 * h * w);
    }
    return { output: out, backward: straightThrough };
  }
}
