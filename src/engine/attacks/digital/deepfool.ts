import { UserError } from '../../errors';
import { floatTensor } from '../../tensor/tensor';
import { cloneTensor, gatherSamples, perSample } from '../../classifier/batch';
import { type AttackInput, type AttackOutput, reachedGoal } from './goal';
import { LinearLoss } from '../../classifier/losses';

export interface DeepFoolOptions {
  /** The final perturbation is (1 + overshoot) times the accumulated one (0.02 in the paper). */
  overshoot: number;
  maxIter: number;
  /** Classes considered besides the label: the top ones of the clean logits (10 in the paper). */
  candidates: number;
}

/**
 * DeepFool (Moosavi-Dezfooli et al. 2016), multi-class: linearise the classifier around the
 * current point, step to the nearest linearised decision boundary among the candidate classes
 * (the minimal L2 step |f_l| / |w_l|), repeat until the label changes, then overshoot slightly.
 * Its L2 distance estimates the smallest perturbation that flips the label.
 */
export async function deepFool(input: AttackInput, options: DeepFoolOptions): Promise<AttackOutput> {
  if (input.targets) throw new UserError('deepfool is untargeted; drop --target (or use cw, pgd or jsma)');
  const { x0, classifier } = input;
  const n = x0.dims[0];
  const size = perSample(x0);
  const classes = classifier.classes;
  const clean = await classifier.logits(x0);
  const queries = new Array(n).fill(1);
  const candidates = Array.from({ length: n }, (_, s) => topOthers(clean.data.subarray(s * classes, (s + 1) * classes), input.labels[s], options.candidates));
  const total = new Float64Array(x0.data.length);
  const x = cloneTensor(x0);
  let active = Array.from({ length: n }, (_, s) => s);
  for (let iter = 0; iter <= options.maxIter && active.length > 0; iter++) {
    // One batched call: for each active sample, the gradient of Z_k - Z_label for every candidate k.
    const rows: number[] = [];
    const weights: number[] = [];
    for (const s of active) {
      for (const k of candidates[s]) {
        rows.push(s);
        const w = new Array(classes).fill(0);
        w[k] = 1;
        w[input.labels[s]] = -1;
        weights.push(...w);
      }
    }
    const r = await classifier.gradient(gatherSamples(x, rows), new LinearLoss(Float32Array.from(weights), classes));
    const still: number[] = [];
    let offset = 0;
    for (const s of active) {
      const count = candidates[s].length;
      queries[s] += count;
      const first = offset;
      offset += count;
      if (reachedGoal(input, s, r.logits.data.subarray(first * classes, (first + 1) * classes)) || iter === options.maxIter) continue;
      let bestRow = -1;
      let bestDist = Infinity;
      let bestNorm2 = 0;
      for (let j = first; j < first + count; j++) {
        let norm2 = 0;
        for (let k = j * size; k < (j + 1) * size; k++) norm2 += r.grad.data[k] ** 2;
        const dist = Math.abs(r.loss[j]) / Math.sqrt(norm2 + 1e-20);
        if (dist < bestDist) {
          bestDist = dist;
          bestRow = j;
          bestNorm2 = norm2;
        }
      }
      const scale = (Math.abs(r.loss[bestRow]) + 1e-4) / (bestNorm2 + 1e-20);
      for (let k = 0; k < size; k++) {
        const idx = s * size + k;
        total[idx] += scale * r.grad.data[bestRow * size + k];
        const v = x0.data[idx] + (1 + options.overshoot) * total[idx];
        x.data[idx] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
      still.push(s);
    }
    active = still;
  }
  const l2 = Array.from({ length: n }, (_, s) => {
    let sq = 0;
    for (let k = s * size; k < (s + 1) * size; k++) sq += (x.data[k] - x0.data[k]) ** 2;
    return Math.sqrt(sq);
  });
  return { adversarial: floatTensor(x.dims, x.data), queries, extras: { l2 } };
}

/** The `count` most likely classes other than `label`. */
function topOthers(row: Float32Array, label: number, count: number): number[] {
  return Array.from(row.keys())
    .filter((c) => c !== label)
    .sort((a, b) => row[b] - row[a])
    .slice(0, Math.max(1, count));
}
