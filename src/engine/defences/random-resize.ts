import type { Rng } from '../random';
import { BilinearResampler } from '../image/resample';
import { floatTensor, type FloatTensor } from '../tensor/tensor';
import type { PixelTransform, TransformStep } from './transform';

export interface RandomResizeOptions {
  /**
   * Smallest scale of the image inside the canvas. Xie et al. resize 299 px images to
   * [299, 331) and pad to 331, i.e. the image fills 299/331 = 0.903 to 1 of the canvas.
   */
  minScale: number;
  /** Padding value in [0, 1] (Xie et al. pad with zeros). */
  pad: number;
}

/**
 * Input randomisation (Xie et al. 2018): shrink each image to a random size, then place it at a
 * random offset in a canvas of the model's input size. Bilinear resize and padding are linear,
 * so the backward pass is their exact adjoint for the same draw.
 */
export class RandomResizePad implements PixelTransform {
  readonly name = 'random-resize';
  readonly randomised = true;
  readonly differentiable = true;

  constructor(readonly options: RandomResizeOptions) {}

  async apply(pixels: FloatTensor, rng: Rng): Promise<TransformStep> {
    const [n, c, h, w] = pixels.dims;
    const out = floatTensor(pixels.dims, new Float32Array(pixels.data.length).fill(this.options.pad));
    const draws = Array.from({ length: n }, () => {
      // Like Xie et al.'s [299, 331) in a 331 canvas: always smaller than the canvas, by >= 1 pixel.
      const scale = rng.uniform(this.options.minScale, 1);
      const sw = Math.max(1, Math.min(w - 1, Math.floor(w * scale)));
      const sh = Math.max(1, Math.min(h - 1, Math.floor(h * scale)));
      return { op: new BilinearResampler(w, h, sw, sh), top: rng.int(h - sh + 1), left: rng.int(w - sw + 1) };
    });
    const plane = h * w;
    draws.forEach(({ op, top, left }, s) => {
      for (let ch = 0; ch < c; ch++) op.forward(pixels.data, (s * c + ch) * plane, out.data, (s * c + ch) * plane, w, top, left);
    });
    return {
      output: out,
      backward(grad) {
        const back = floatTensor(pixels.dims);
        draws.forEach(({ op, top, left }, s) => {
          for (let ch = 0; ch < c; ch++) op.adjoint(grad.data, (s * c + ch) * plane, back.data, (s * c + ch) * plane, w, top, left);
        });
        return back;
      },
    };
  }
}
