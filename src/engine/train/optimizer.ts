/** Optimisers over named Float32Array parameters, their state saved and restored by checkpoints. */

import type { OptimizerKind, Schedule } from '../../shared/training';
export { OPTIMIZERS, SCHEDULES, type OptimizerKind, type Schedule } from '../../shared/training';

export interface OptimizerSettings {
  kind: OptimizerKind;
  momentum: number;
  beta1: number;
  beta2: number;
  /** L2 added to the gradient (sgd, adam) or decoupled decay (adamw). Biases and norm parameters are not decayed. */
  weightDecay: number;
}

export interface OptimizerState {
  t: number;
  /** First moment (or sgd velocity) and second moment, by parameter name. */
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export function emptyState(): OptimizerState {
  return { t: 0, m: new Map(), v: new Map() };
}

/** Weight decay applies to conv and linear weights only (rank >= 2), as is usual. */
export function decays(dims: readonly number[]): boolean {
  return dims.length >= 2;
}

export function optimizerStep(
  settings: OptimizerSettings,
  state: OptimizerState,
  values: Map<string, Float32Array>,
  grads: Map<string, Float32Array>,
  dims: Map<string, number[]>,
  lr: number,
): void {
  state.t++;
  const { beta1, beta2 } = settings;
  const bias1 = 1 - beta1 ** state.t;
  const bias2 = 1 - beta2 ** state.t;
  for (const [name, g] of grads) {
    const w = values.get(name)!;
    const wd = decays(dims.get(name)!) ? settings.weightDecay : 0;
    let m = state.m.get(name);
    if (!m) state.m.set(name, (m = new Float32Array(w.length)));
    if (settings.kind === 'sgd') {
      for (let i = 0; i < w.length; i++) {
        m[i] = settings.momentum * m[i] + g[i] + wd * w[i];
        w[i] -= lr * m[i];
      }
      continue;
    }
    let v = state.v.get(name);
    if (!v) state.v.set(name, (v = new Float32Array(w.length)));
    const decoupled = settings.kind === 'adamw';
    for (let i = 0; i < w.length; i++) {
      const gi = decoupled ? g[i] : g[i] + wd * w[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      if (decoupled) w[i] -= lr * wd * w[i];
      w[i] -= (lr * (m[i] / bias1)) / (Math.sqrt(v[i] / bias2) + 1e-8);
    }
  }
}

/** The learning rate at `step` of `total`: constant, cosine to zero, or /10 at 50% and 75%. */
export function learningRate(schedule: Schedule, base: number, step: number, total: number, warmup = 0): number {
  if (warmup > 0 && step < warmup) return (base * (step + 1)) / warmup;
  const progress = total > 0 ? Math.min(1, step / total) : 0;
  if (schedule === 'cosine') return 0.5 * base * (1 + Math.cos(Math.PI * progress));
  if (schedule === 'step') return base * (progress >= 0.75 ? 0.01 : progress >= 0.5 ? 0.1 : 1);
  return base;
}
