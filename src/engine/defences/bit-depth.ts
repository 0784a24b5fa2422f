import { floatTensor, type FloatTensor } from '../tensor/tensor';
import { straightThrough, type PixelTransform, type TransformStep } from './transform';

/**
 * Feature squeezing by colour-depth reduction (Xu et al. 2018): quantise every channel to
 * 2^bits levels. A staircase has zero gradient almost everywhere, so the backward pass is
 * BPDA's identity.
 */
export class BitDepthReduction implements PixelTransform {
  readonly name = 'bit-depth';
  readonly randomised = false;
  readonly differentiable = false;

  constructor(readonly bits: number) {}

  async apply(pixels: FloatTensor): Promise<TransformStep> {
    const levels = 2 ** this.bits - 1;
    const out = floatTensor(pixels.dims);
    for (let i = 0; i < out.data.length; i++) out.data[i] = Math.round(Math.min(1, Math.max(0, pixels.data[i])) * levels) / levels;
    return { output: out, backward: straightThrough };
  }
}
