import { floatTensor, type FloatTensor } from '../tensor/tensor';
import type { PixelTransform, TransformStep } from './transform';

/**
 * Feature squeezing by median smoothing (Xu et al. 2018): each channel value becomes the
 * median of its size x size neighbourhood (edges replicated; an even window takes the mean of
 * the two middle values, like numpy). The median is piecewise linear, so its gradient exists
 * almost everywhere: the backward pass routes each output's gradient to the input value(s)
 * that were the median.
 */
export class MedianSmoothing implements PixelTransform {
  readonly name = 'median';
  readonly randomised = false;
  readonly differentiable = true;

  constructor(readonly size: number) {}

  async apply(pixels: FloatTensor): Promise<TransformStep> {
    const [n, c, h, w] = pixels.dims;
    const k = this.size;
    const before = Math.floor((k - 1) / 2);
    const count = k * k;
    const out = floatTensor(pixels.dims);
    // For each output value, the flat input index of the (one or two) median elements.
    const lo = new Int32Array(out.data.length);
    const hi = new Int32Array(out.data.length);
    const values = new Float64Array(count);
    const index = new Int32Array(count);
    const order = new Int32Array(count);
    for (let p = 0; p < n * c; p++) {
      const base = p * h * w;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let m = 0;
          for (let dy = 0; dy < k; dy++) {
            const yy = Math.min(h - 1, Math.max(0, y + dy - before));
            for (let dx = 0; dx < k; dx++) {
              const xx = Math.min(w - 1, Math.max(0, x + dx - before));
              index[m] = base + yy * w + xx;
              values[m] = pixels.data[index[m]];
              order[m] = m;
              m++;
            }
          }
          order.sort((a, b) => values[a] - values[b]);
          const at = base + y * w + x;
          lo[at] = index[order[(count - 1) >> 1]];
          hi[at] = index[order[count >> 1]];
          out.data[at] = (pixels.data[lo[at]] + pixels.data[hi[at]]) / 2;
        }
      }
    }
    return {
      output: out,
      backward(grad) {
        const back = floatTensor(pixels.dims);
        for (let i = 0; i < grad.data.length; i++) {
          back.data[lo[i]] += grad.data[i] / 2;
          back.data[hi[i]] += grad.data[i] / 2;
        }
        return back;
      },
    };
  }
}
