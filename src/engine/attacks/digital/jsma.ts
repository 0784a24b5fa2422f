import { cloneTensor, gatherSamples } from '../../classifier/batch';
import { type AttackInput, type AttackOutput, reachedGoal } from './goal';
import { LinearLoss } from '../../classifier/losses';

export interface JsmaOptions {
  /** Change per selected pixel in pixel units; +1 saturates to white, -1 to black. */
  theta: number;
  /** Largest fraction of pixels the attack may change (gamma). */
  maxFraction: number;
  /** Pixels considered for pairing per iteration, by individual saliency (full search is quadratic). */
  candidates: number;
  /**
   * Keep going until the target logit leads every other by this margin. The plain goal stops
   * right at the boundary, where 8-bit rounding and the resize back to the model's input undo
   * the last few pixels; 0 is the paper's stopping rule.
   */
  kappa?: number;
}

/**
 * Jacobian-based Saliency Map Attack (Papernot et al. 2016), targeted and L0: from the
 * Jacobian of the logits, pick the pixel pair whose change raises the target logit and lowers
 * all others the most together (alpha > 0, beta < 0, maximise alpha·|beta|), change it by theta,
 * repeat until the target wins or the pixel budget is spent. A pixel is one position with its
 * three channels changed together. Without a target the runner-up class is the target.
 */
export async function jsma(input: AttackInput, options: JsmaOptions): Promise<AttackOutput> {
  const { x0, classifier } = input;
  const [n, , h, w] = x0.dims;
  const plane = h * w;
  const classes = classifier.classes;
  const clean = await classifier.logits(x0);
  const targets = input.targets ? [...input.targets] : Array.from({ length: n }, (_, s) => runnerUp(clean.data.subarray(s * classes, (s + 1) * classes)));
  const kappa = options.kappa ?? 0;
  const leads = (s: number, row: Float32Array): boolean => targetLead(row, targets[s]) >= kappa && reachedGoal({ labels: input.labels, targets }, s, row);
  const queries = new Array(n).fill(1);
  const budget = Math.max(2, Math.floor(options.maxFraction * plane));
  const x = cloneTensor(x0);
  const changed = Array.from({ length: n }, () => new Uint8Array(plane));
  const used = new Array(n).fill(0);
  let active = Array.from({ length: n }, (_, s) => s).filter((s) => !leads(s, clean.data.subarray(s * classes, (s + 1) * classes)));
  while (active.length > 0) {
    // Two rows per sample: the target logit's gradient (alpha) and the sum of the others' (beta).
    const rows = active.flatMap((s) => [s, s]);
    const weights = new Float32Array(rows.length * classes);
    active.forEach((s, i) => {
      weights[2 * i * classes + targets[s]] = 1;
      for (let c = 0; c < classes; c++) if (c !== targets[s]) weights[(2 * i + 1) * classes + c] = 1;
    });
    const r = await classifier.gradient(gatherSamples(x, rows), new LinearLoss(weights, classes));
    const still: number[] = [];
    active.forEach((s, i) => {
      queries[s] += 2;
      if (leads(s, r.logits.data.subarray(2 * i * classes, (2 * i + 1) * classes)) || used[s] + 2 > budget) return;
      const alpha = pixelSums(r.grad.data, 2 * i, plane);
      const beta = pixelSums(r.grad.data, 2 * i + 1, plane);
      const pair = bestPair(alpha, beta, changed[s], Math.sign(options.theta), options.candidates, x.data, s * 3 * plane, plane);
      if (!pair) return;
      for (const p of pair) {
        changed[s][p] = 1;
        for (let c = 0; c < 3; c++) {
          const idx = s * 3 * plane + c * plane + p;
          x.data[idx] = Math.min(1, Math.max(0, x.data[idx] + options.theta));
        }
      }
      used[s] += 2;
      still.push(s);
    });
    active = still;
  }
  return { adversarial: x, queries, extras: { target: targets } };
}

/** The target logit minus the largest other one. */
function targetLead(row: Float32Array, target: number): number {
  let other = -Infinity;
  for (let c = 0; c < row.length; c++) if (c !== target) other = Math.max(other, row[c]);
  return row[target] - other;
}

function runnerUp(row: Float32Array): number {
  const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a]);
  return order[1] ?? order[0];
}

/** Sum over the three channels of sample-row `row` of an NCHW gradient. */
function pixelSums(grad: Float32Array, row: number, plane: number): Float64Array {
  const out = new Float64Array(plane);
  const base = row * 3 * plane;
  for (let c = 0; c < 3; c++) for (let p = 0; p < plane; p++) out[p] += grad[base + c * plane + p];
  return out;
}

/**
 * The admissible pair maximising alpha·|beta| with the signs the direction needs, among the
 * `limit` pixels with the best individual score. Pixels already changed or already at the
 * bound in the direction of change are excluded, as in the search domain of the paper.
 */
function bestPair(alpha: Float64Array, beta: Float64Array, changed: Uint8Array, direction: number, limit: number, x: Float32Array, base: number, plane: number): [number, number] | undefined {
  const candidates: number[] = [];
  for (let p = 0; p < plane; p++) {
    if (changed[p]) continue;
    const value = x[base + p] + x[base + plane + p] + x[base + 2 * plane + p];
    if ((direction > 0 && value >= 3) || (direction < 0 && value <= 0)) continue;
    candidates.push(p);
  }
  const score = (p: number): number => direction * alpha[p] - direction * beta[p];
  candidates.sort((a, b) => score(b) - score(a));
  const pool = candidates.slice(0, Math.max(2, limit));
  let best: [number, number] | undefined;
  let bestValue = 0;
  for (let i = 0; i < pool.length; i++) {
    for (let j = i + 1; j < pool.length; j++) {
      const a = direction * (alpha[pool[i]] + alpha[pool[j]]);
      const b = direction * (beta[pool[i]] + beta[pool[j]]);
      if (a > 0 && b < 0 && a * -b > bestValue) {
        bestValue = a * -b;
        best = [pool[i], pool[j]];
      }
    }
  }
  return best;
}
