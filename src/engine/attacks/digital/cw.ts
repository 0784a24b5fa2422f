import { floatTensor, type FloatTensor } from '../../tensor/tensor';
import { perSample } from '../../classifier/batch';
import { type AttackInput, type AttackOutput } from './goal';
import { MarginLoss } from '../../classifier/losses';

export interface CwOptions {
  /** Confidence: the margin the adversarial class must win by. */
  kappa: number;
  /** Binary-search steps on the constant c. */
  searchSteps: number;
  /** Adam steps per search step. */
  steps: number;
  learningRate: number;
  initialConst: number;
}

/**
 * Carlini-Wagner L2 (2017): minimise |x - x0|² + c·f(x) over x = (tanh(w) + 1) / 2 (so the box
 * constraint is built in) with Adam, where f is the logit margin capped at -kappa; a binary
 * search per sample finds the smallest c that still succeeds, and the smallest successful
 * perturbation seen is kept.
 */
export async function carliniWagnerL2(input: AttackInput, options: CwOptions): Promise<AttackOutput> {
  const { x0, classifier } = input;
  const n = x0.dims[0];
  const size = perSample(x0);
  const targeted = input.targets !== undefined;
  const loss = new MarginLoss([...(input.targets ?? input.labels)], options.kappa, targeted);
  const w0 = x0.data.map((v) => Math.atanh((2 * v - 1) * 0.999999));
  const lower = new Float64Array(n);
  const upper = new Float64Array(n).fill(1e10);
  const c = new Float64Array(n).fill(options.initialConst);
  const bestL2 = new Float64Array(n).fill(Infinity);
  const best = floatTensor(x0.dims, Float32Array.from(x0.data));
  const queries = new Array(n).fill(0);
  for (let search = 0; search < options.searchSteps; search++) {
    const w = Float32Array.from(w0);
    const m = new Float32Array(w.length);
    const v = new Float32Array(w.length);
    const succeeded = new Array(n).fill(false);
    const previous = new Float64Array(n).fill(Infinity);
    const running = new Array(n).fill(true);
    for (let step = 1; step <= options.steps && running.some(Boolean); step++) {
      const x = toBox(w, x0.dims);
      const r = await classifier.gradient(x, loss);
      const classes = r.logits.dims[1];
      for (let s = 0; s < n; s++) {
        if (!running[s]) continue;
        queries[s]++;
        let l2sq = 0;
        for (let k = s * size; k < (s + 1) * size; k++) l2sq += (x.data[k] - x0.data[k]) ** 2;
        if (isAdversarial(r.logits.data.subarray(s * classes, (s + 1) * classes), loss.labels[s], targeted, options.kappa)) {
          succeeded[s] = true;
          if (l2sq < bestL2[s] ** 2 || bestL2[s] === Infinity) {
            bestL2[s] = Math.sqrt(l2sq);
            best.data.set(x.data.subarray(s * size, (s + 1) * size), s * size);
          }
        }
        // Carlini's early abort: stop when the objective has not improved by 0.01% in a tenth of the steps.
        const objective = l2sq + c[s] * r.loss[s];
        if (step % Math.max(1, Math.floor(options.steps / 10)) === 0) {
          if (objective > previous[s] * 0.9999) running[s] = false;
          previous[s] = objective;
        }
        adamStep(w, m, v, s * size, size, step, options.learningRate, (k) => {
          const t = Math.tanh(w[k]);
          return (2 * (x.data[k] - x0.data[k]) + c[s] * r.grad.data[k]) * (1 - t * t) * 0.5;
        });
      }
    }
    for (let s = 0; s < n; s++) {
      if (succeeded[s]) {
        upper[s] = Math.min(upper[s], c[s]);
        c[s] = (lower[s] + upper[s]) / 2;
      } else {
        lower[s] = Math.max(lower[s], c[s]);
        c[s] = upper[s] < 1e9 ? (lower[s] + upper[s]) / 2 : c[s] * 10;
      }
    }
  }
  return { adversarial: best, queries, extras: { l2: Array.from(bestL2, (d) => (Number.isFinite(d) ? d : NaN)), c: Array.from(upper, (u) => (u < 1e9 ? u : NaN)) } };
}

function toBox(w: Float32Array, dims: readonly number[]): FloatTensor {
  const x = floatTensor(dims);
  for (let i = 0; i < w.length; i++) x.data[i] = (Math.tanh(w[i]) + 1) / 2;
  return x;
}

function isAdversarial(row: Float32Array, label: number, targeted: boolean, kappa: number): boolean {
  let other = -Infinity;
  for (let c = 0; c < row.length; c++) if (c !== label) other = Math.max(other, row[c]);
  return targeted ? row[label] - other >= kappa : other - row[label] >= kappa && other > row[label];
}

function adamStep(w: Float32Array, m: Float32Array, v: Float32Array, start: number, size: number, t: number, lr: number, grad: (k: number) => number): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const c1 = 1 - b1 ** t;
  const c2 = 1 - b2 ** t;
  for (let k = start; k < start + size; k++) {
    const g = grad(k);
    m[k] = b1 * m[k] + (1 - b1) * g;
    v[k] = b2 * v[k] + (1 - b2) * g * g;
    w[k] -= (lr * (m[k] / c1)) / (Math.sqrt(v[k] / c2) + 1e-8);
  }
}
