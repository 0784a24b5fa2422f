import { cloneTensor, perSample, project, sampleNorms } from '../../classifier/batch';
import { type AttackInput, type AttackOutput, lossLabels } from './goal';
import { CrossEntropyLoss } from '../../classifier/losses';

export interface MiFgsmOptions {
  eps: number;
  steps: number;
  /** Momentum decay (Dong et al. use 1.0). */
  mu: number;
}

/**
 * Momentum Iterative FGSM (Dong et al. 2018): accumulates a velocity of L1-normalised
 * gradients with decay mu and steps eps/steps along its sign, so the direction stabilises and
 * the result transfers better to other models.
 */
export async function miFgsm(input: AttackInput, options: MiFgsmOptions): Promise<AttackOutput> {
  const { x0 } = input;
  const n = x0.dims[0];
  const size = perSample(x0);
  const alpha = options.eps / options.steps;
  const loss = new CrossEntropyLoss(lossLabels(input), input.targets !== undefined);
  const velocity = new Float32Array(x0.data.length);
  let x = cloneTensor(x0);
  for (let step = 0; step < options.steps; step++) {
    const { grad } = await input.classifier.gradient(x, loss);
    const l1 = sampleNorms(grad, 'l1');
    const next = cloneTensor(x);
    for (let s = 0; s < n; s++) {
      const inv = l1[s] > 0 ? 1 / l1[s] : 0;
      for (let k = s * size; k < (s + 1) * size; k++) {
        velocity[k] = options.mu * velocity[k] + grad.data[k] * inv;
        next.data[k] += alpha * Math.sign(velocity[k]);
      }
    }
    project(next, x0, options.eps, 'linf');
    x = next;
  }
  return { adversarial: x, queries: new Array(n).fill(options.steps) };
}
