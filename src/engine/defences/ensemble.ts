import { softmaxRows } from '../classifier/batch';
import type { ClassifierGradient, ClassifierOracle } from '../classifier/classifier';
import { LinearLoss, type LogitLoss } from '../classifier/losses';
import { UserError } from '../errors';
import { BilinearResampler } from '../image/resample';
import { floatTensor, type FloatTensor } from '../tensor/tensor';
import { logProbs } from './eot';

export type Vote = 'soft' | 'majority';

/**
 * An ensemble of classifiers over one label set. `soft` averages the members' probabilities;
 * `majority` counts their top-1 votes (ties go to the higher mean probability). Members with
 * another input size see the input resized bilinearly. The gradient is exact for the soft vote;
 * the hard vote has none, so it back-propagates through the soft vote (BPDA).
 */
export class EnsembleClassifier implements ClassifierOracle {
  constructor(
    readonly members: readonly ClassifierOracle[],
    readonly vote: Vote,
  ) {
    if (members.length === 0) throw new UserError('--defence ensemble: needs at least one model');
    const classes = members[0].classes;
    const odd = members.find((m) => m.classes !== classes);
    if (odd) throw new UserError(`--defence ensemble: all models must have the same classes (${classes} vs ${odd.classes})`);
  }

  get width(): number {
    return this.members[0].width;
  }

  get height(): number {
    return this.members[0].height;
  }

  get classes(): number {
    return this.members[0].classes;
  }

  labelOf(index: number): string {
    return this.members[0].labelOf(index);
  }

  async logits(pixels: FloatTensor): Promise<FloatTensor> {
    const memberProbs = await Promise.all(this.members.map(async (m) => softmaxRows((await m.logits(this.resize(pixels, m))).data, this.classes)));
    return this.combine(memberProbs, pixels.dims[0]);
  }

  async gradient(pixels: FloatTensor, loss: LogitLoss): Promise<ClassifierGradient> {
    const n = pixels.dims[0];
    const c = this.classes;
    const inputs = this.members.map((m) => this.resize(pixels, m));
    const memberProbs: Float64Array[] = [];
    for (const [i, m] of this.members.entries()) memberProbs.push(softmaxRows((await m.logits(inputs[i])).data, c));
    const logits = this.combine(memberProbs, n);
    const value = loss.evaluate(logits.data, c);
    // Through the soft vote: l = log P, P = mean_m p_m, p_m = softmax(z_m).
    const soft = mean(memberProbs);
    const grad = floatTensor(pixels.dims);
    const share = 1 / this.members.length;
    for (const [i, m] of this.members.entries()) {
      const p = memberProbs[i];
      const dz = new Float32Array(n * c);
      for (let s = 0; s < n; s++) {
        let dot = 0;
        const dp = new Float64Array(c);
        for (let k = 0; k < c; k++) {
          dp[k] = (value.grad[s * c + k] * share) / Math.max(soft[s * c + k], 1e-30);
          dot += p[s * c + k] * dp[k];
        }
        for (let k = 0; k < c; k++) dz[s * c + k] = p[s * c + k] * (dp[k] - dot);
      }
      const r = await m.gradient(inputs[i], new LinearLoss(dz, c));
      this.addResizedBack(r.grad, m, grad);
    }
    return { loss: value.loss, logits, grad };
  }

  async dispose(): Promise<void> {
    for (const m of this.members) await m.dispose();
  }

  private combine(memberProbs: Float64Array[], n: number): FloatTensor {
    const c = this.classes;
    const soft = mean(memberProbs);
    if (this.vote === 'soft') return logProbs(soft, n, c);
    const scores = new Float64Array(n * c);
    for (const p of memberProbs) {
      for (let s = 0; s < n; s++) {
        let best = 0;
        for (let k = 1; k < c; k++) if (p[s * c + k] > p[s * c + best]) best = k;
        scores[s * c + best] += 1;
      }
    }
    // Votes, with the mean probability (< 1) breaking ties; normalised so softmax of the log is the share.
    const total = this.members.length + 1;
    return logProbs(scores.map((v, i) => (v + soft[i]) / total), n, c);
  }

  private resize(pixels: FloatTensor, member: ClassifierOracle): FloatTensor {
    const [n, ch, h, w] = pixels.dims;
    if (member.width === w && member.height === h) return pixels;
    const op = new BilinearResampler(w, h, member.width, member.height);
    const out = floatTensor([n, ch, member.height, member.width]);
    for (let p = 0; p < n * ch; p++) op.forward(pixels.data, p * h * w, out.data, p * member.width * member.height);
    return out;
  }

  private addResizedBack(grad: FloatTensor, member: ClassifierOracle, into: FloatTensor): void {
    const [n, ch, h, w] = into.dims;
    if (member.width === w && member.height === h) {
      for (let i = 0; i < into.data.length; i++) into.data[i] += grad.data[i];
      return;
    }
    const op = new BilinearResampler(w, h, member.width, member.height);
    for (let p = 0; p < n * ch; p++) op.adjoint(grad.data, p * member.width * member.height, into.data, p * h * w);
  }
}

function mean(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays[0].length);
  for (const a of arrays) for (let i = 0; i < a.length; i++) out[i] += a[i] / arrays.length;
  return out;
}
