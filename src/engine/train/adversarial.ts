import type { Rng } from '../random';
import { floatTensor, type FloatTensor } from '../tensor/tensor';
import type { Parameters } from './parameters';
import type { TrainingGraph } from './training-graph';

import type { AdversarialKind } from '../../shared/training';
export { ADVERSARIAL, ADVERSARIAL_DEFAULTS, type AdversarialKind } from '../../shared/training';

export interface AdversarialSettings {
  kind: AdversarialKind;
  /** L-infinity radius in [0, 1] pixel units. */
  eps: number;
  steps: number;
  alpha: number;
  /** TRADES trade-off (weight of the KL term). */
  beta: number;
}


function project(x: Float32Array, clean: Float32Array, eps: number): void {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(1, Math.max(0, Math.min(clean[i] + eps, Math.max(clean[i] - eps, x[i]))));
}

/**
 * Adversarial versions of a batch against the current network in training mode (the attack
 * graph: same parameters, input gradient only): PGD with a random start (Madry et al.), or one
 * FGSM step of 1.25 eps from a random start (fast adversarial training, Wong et al. 2020).
 */
export async function perturbBatch(s: AdversarialSettings, attack: TrainingGraph, params: Parameters, images: FloatTensor, targets: FloatTensor, rng: Rng): Promise<FloatTensor> {
  const clean = images.data;
  const x = Float32Array.from(clean, (v) => v + rng.uniform(-s.eps, s.eps));
  project(x, clean, s.eps);
  const steps = s.kind === 'fgsm-rs' ? 1 : s.steps;
  const alpha = s.kind === 'fgsm-rs' ? 1.25 * s.eps : s.alpha;
  for (let k = 0; k < steps; k++) {
    const { inputGrad } = await attack.run(floatTensor(images.dims, x), targets, params);
    const g = inputGrad.data;
    for (let i = 0; i < x.length; i++) x[i] += alpha * Math.sign(g[i]);
    project(x, clean, s.eps);
  }
  return floatTensor(images.dims, x);
}

/**
 * TRADES' inner maximisation: start near x (0.001 N(0,1)) and ascend KL(p(x) || p(x')) by signed
 * steps. The trades graph takes [clean; adversarial]; only the adversarial half's gradient is used.
 */
export async function tradesBatch(s: AdversarialSettings, attack: TrainingGraph, params: Parameters, images: FloatTensor, targets: FloatTensor, rng: Rng): Promise<FloatTensor> {
  const n = images.data.length;
  const clean = images.data;
  const x = Float32Array.from(clean, (v) => v + 0.001 * rng.normal());
  project(x, clean, s.eps);
  const pair = new Float32Array(2 * n);
  const dims = [images.dims[0] * 2, ...images.dims.slice(1)];
  for (let k = 0; k < s.steps; k++) {
    pair.set(clean, 0);
    pair.set(x, n);
    const { inputGrad } = await attack.run(floatTensor(dims, pair), pairTargets(targets), params);
    const g = inputGrad.data;
    for (let i = 0; i < n; i++) x[i] += s.alpha * Math.sign(g[n + i]);
    project(x, clean, s.eps);
  }
  return floatTensor(images.dims, x);
}

/** Targets for a [clean; adversarial] trades batch: one-hot for the clean half, zero for the other. */
export function pairTargets(targets: FloatTensor): FloatTensor {
  const out = new Float32Array(targets.data.length * 2);
  out.set(targets.data, 0);
  return floatTensor([targets.dims[0] * 2, targets.dims[1]], out);
}

export function concatBatches(a: FloatTensor, b: FloatTensor): FloatTensor {
  const out = new Float32Array(a.data.length + b.data.length);
  out.set(a.data, 0);
  out.set(b.data, a.data.length);
  return floatTensor([a.dims[0] + b.dims[0], ...a.dims.slice(1)], out);
}
