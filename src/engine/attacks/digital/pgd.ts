import { cloneTensor, normaliseL2, type Norm, perSample, project, randomStart } from '../../classifier/batch';
import { type AttackInput, type AttackOutput, lossLabels } from './goal';
import { CrossEntropyLoss } from '../../classifier/losses';
import { Rng } from '../../random';

export interface PgdOptions {
  eps: number;
  norm: Norm;
  steps: number;
  /** Step size; 2.5 * eps / steps when absent (Madry et al.). */
  stepSize?: number;
  /** Start from a uniform point of the eps-ball (PGD) instead of the clean image (BIM). */
  randomStart: boolean;
  seed?: number;
}

/**
 * Projected gradient descent on the cross-entropy (Madry et al. 2018) in an L-inf or L2 ball:
 * sign steps (L-inf) or normalised-gradient steps (L2), each followed by projection onto the
 * ball and the [0,1] box. Without a random start this is BIM (Kurakin et al.). Each sample keeps
 * the iterate with the highest loss seen, so a late overshoot never loses a success.
 */
export async function pgd(input: AttackInput, options: PgdOptions): Promise<AttackOutput> {
  const { x0 } = input;
  const n = x0.dims[0];
  const size = perSample(x0);
  const alpha = options.stepSize ?? (2.5 * options.eps) / options.steps;
  const loss = new CrossEntropyLoss(lossLabels(input), input.targets !== undefined);
  let x = options.randomStart ? randomStart(x0, options.eps, options.norm, new Rng(options.seed ?? 0)) : cloneTensor(x0);
  const best = cloneTensor(x);
  const bestLoss = new Float64Array(n).fill(-Infinity);
  for (let step = 0; step <= options.steps; step++) {
    const r = await input.classifier.gradient(x, loss);
    for (let s = 0; s < n; s++) {
      if (r.loss[s] > bestLoss[s]) {
        bestLoss[s] = r.loss[s];
        best.data.set(x.data.subarray(s * size, (s + 1) * size), s * size);
      }
    }
    if (step === options.steps) break;
    const direction = options.norm === 'l2' ? normaliseL2(r.grad) : r.grad;
    const next = cloneTensor(x);
    for (let i = 0; i < next.data.length; i++) {
      next.data[i] += alpha * (options.norm === 'l2' ? direction.data[i] : Math.sign(direction.data[i]));
    }
    project(next, x0, options.eps, options.norm);
    x = next;
  }
  // The last gradient call only scored the final iterate; it is not an extra step.
  return { adversarial: best, queries: new Array(n).fill(options.steps + 1) };
}
