import { z } from 'zod';

export const OptimiserSchema = z.object({
  kind: z.enum(['adam', 'pgd']).default('adam'),
  /** Step size in pixel units ([0, 1] texels). */
  lr: z.number().positive().default(0.03),
  schedule: z.enum(['constant', 'cosine', 'step']).default('cosine'),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.999),
});

export type OptimiserConfig = z.infer<typeof OptimiserSchema>;

/** Everything an optimiser carries between steps; checkpointed so a resumed run continues exactly. */
export interface OptimiserState {
  t: number;
  m: Float32Array;
  v: Float32Array;
}

export function initialState(size: number): OptimiserState {
  return { t: 0, m: new Float32Array(size), v: new Float32Array(size) };
}

/** Learning rate at `step` of `total` (0-based). Cosine decays to a tenth; step halves at 50% and 75%. */
export function learningRate(config: OptimiserConfig, step: number, total: number): number {
  const progress = total > 1 ? step / (total - 1) : 0;
  switch (config.schedule) {
    case 'constant':
      return config.lr;
    case 'cosine':
      return config.lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
    case 'step':
      return config.lr * (progress >= 0.75 ? 0.25 : progress >= 0.5 ? 0.5 : 1);
  }
}

/**
 * One descent step on `params` (in place) for gradient `grad`, then a projection onto [0, 1]
 * (printable intensities). Adam by default; PGD-sign moves every texel by ±lr.
 */
export function optimiserStep(config: OptimiserConfig, state: OptimiserState, params: Float32Array, grad: Float32Array, lr: number): void {
  state.t += 1;
  if (config.kind === 'pgd') {
    for (let i = 0; i < params.length; i++) params[i] = clip01(params[i] - lr * Math.sign(grad[i]));
    return;
  }
  const { beta1, beta2 } = config;
  const c1 = 1 - Math.pow(beta1, state.t);
  const c2 = 1 - Math.pow(beta2, state.t);
  const { m, v } = state;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    params[i] = clip01(params[i] - (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8));
  }
}

function clip01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
