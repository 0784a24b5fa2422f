import { gatherSamples } from '../classifier/batch';
import type { ClassifierGradient, ClassifierOracle } from '../classifier/classifier';
import type { LogitLoss } from '../classifier/losses';
import { floatTensor, type FloatTensor } from '../tensor/tensor';
import { ClassifierWrapper } from './wrapper';

/**
 * Expectation over Transformation (Athalye et al. 2018): the loss, its gradient and the
 * prediction of a randomised classifier averaged over `samples` independent draws. Attacking
 * this instead of one draw is the adaptive attack on input randomisation.
 */
export class EotClassifier extends ClassifierWrapper {
  constructor(
    inner: ClassifierOracle,
    readonly samples: number,
    /** Largest batch handed to the inner classifier at once. */
    private readonly maxBatch = 64,
  ) {
    super(inner);
  }

  /** log of the mean softmax over the draws, so argmax is the expected vote. */
  async logits(pixels: FloatTensor): Promise<FloatTensor> {
    const n = pixels.dims[0];
    const probs = new Float64Array(n * this.classes);
    for (const rows of this.chunks(n)) {
      const logits = await this.inner.logits(gatherSamples(pixels, rows));
      accumulateSoftmax(probs, logits, rows, this.classes, 1 / this.samples);
    }
    return logProbs(probs, n, this.classes);
  }

  async gradient(pixels: FloatTensor, loss: LogitLoss): Promise<ClassifierGradient> {
    const n = pixels.dims[0];
    const size = pixels.data.length / n;
    const grad = floatTensor(pixels.dims);
    const value = new Float32Array(n);
    const probs = new Float64Array(n * this.classes);
    const share = 1 / this.samples;
    for (const rows of this.chunks(n)) {
      const r = await this.inner.gradient(gatherSamples(pixels, rows), loss.select(rows));
      rows.forEach((s, i) => {
        value[s] += r.loss[i] * share;
        for (let k = 0; k < size; k++) grad.data[s * size + k] += r.grad.data[i * size + k] * share;
      });
      accumulateSoftmax(probs, r.logits, rows, this.classes, share);
    }
    return { loss: value, logits: logProbs(probs, n, this.classes), grad };
  }

  /** Every sample `samples` times, cut into batches of at most maxBatch. */
  private chunks(n: number): number[][] {
    const all: number[] = [];
    for (let d = 0; d < this.samples; d++) for (let s = 0; s < n; s++) all.push(s);
    const out: number[][] = [];
    for (let i = 0; i < all.length; i += this.maxBatch) out.push(all.slice(i, i + this.maxBatch));
    return out;
  }
}

function accumulateSoftmax(probs: Float64Array, logits: FloatTensor, rows: readonly number[], classes: number, weight: number): void {
  rows.forEach((s, i) => {
    const row = logits.data.subarray(i * classes, (i + 1) * classes);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    for (let c = 0; c < classes; c++) probs[s * classes + c] += (weight * Math.exp(row[c] - max)) / sum;
  });
}

export function logProbs(probs: Float64Array, n: number, classes: number): FloatTensor {
  return floatTensor([n, classes], Float32Array.from(probs, (p) => Math.log(Math.max(p, 1e-30))));
}
