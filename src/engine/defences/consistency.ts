import { gatherSamples, softmaxRows } from '../classifier/batch';
import type { ClassifierOracle } from '../classifier/classifier';
import type { FloatTensor } from '../tensor/tensor';

/**
 * Randomised-inference consistency as a detector: run a randomised classifier `passes` times
 * on the same input and measure how much its predicted probabilities vary. Natural images
 * tend to get the same answer every time; adversarial examples tuned to one draw often do not.
 * The score is the mean over passes of |p_pass - mean p|², summed over classes.
 */
export class ConsistencyDetector {
  threshold = Infinity;

  constructor(
    readonly classifier: ClassifierOracle,
    readonly passes: number,
  ) {}

  async scores(pixels: FloatTensor): Promise<Float64Array> {
    const n = pixels.dims[0];
    const c = this.classifier.classes;
    const rows: number[] = [];
    for (let p = 0; p < this.passes; p++) for (let s = 0; s < n; s++) rows.push(s);
    const probs = softmaxRows((await this.classifier.logits(gatherSamples(pixels, rows))).data, c);
    const out = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      const mean = new Float64Array(c);
      for (let p = 0; p < this.passes; p++) for (let k = 0; k < c; k++) mean[k] += probs[(p * n + s) * c + k] / this.passes;
      let variance = 0;
      for (let p = 0; p < this.passes; p++) for (let k = 0; k < c; k++) variance += (probs[(p * n + s) * c + k] - mean[k]) ** 2 / this.passes;
      out[s] = variance;
    }
    return out;
  }

  /** Sets the threshold to the (1 - fpr) quantile of the scores of clean inputs. */
  async calibrate(clean: FloatTensor, falsePositiveRate: number): Promise<number> {
    const sorted = Array.from(await this.scores(clean)).sort((a, b) => a - b);
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((1 - falsePositiveRate) * sorted.length) - 1));
    this.threshold = sorted[index];
    return this.threshold;
  }

  async flags(pixels: FloatTensor): Promise<boolean[]> {
    return Array.from(await this.scores(pixels), (v) => v > this.threshold);
  }
}
