import { floatTensor, type FloatTensor } from '../../src/engine/tensor/tensor';
import type { LinearModel } from './linear-oracle';

/**
 * A two-class linear model z1 - z0 = w·x + b whose decision function and its geometry are
 * known in closed form, and a batch of images on class 0's side of it.
 */
export const W = 8;
export const H = 8;
export const SIZE = 3 * W * H;

export function binaryModel(seed = 11, emits: LinearModel['emits'] = 'logits'): { model: LinearModel; w: Float64Array; b: number } {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const w = Float64Array.from({ length: SIZE }, () => rand());
  const b = -0.2;
  if (emits === 'sigmoid1') return { model: { width: W, height: H, weights: [w], bias: [b], emits }, w, b };
  return { model: { width: W, height: H, weights: [new Float64Array(SIZE), w], bias: [0, b], emits }, w, b };
}

/** Images x with f(x) = w·x + b = -margins[i] (class 0 by those margins), pixels in [0.3, 0.7]. */
export function imagesWithMargins(w: Float64Array, b: number, margins: number[], seed = 4): FloatTensor {
  let s = seed;
  const x = floatTensor([margins.length, 3, H, W]);
  const norm2 = w.reduce((a, v) => a + v * v, 0);
  margins.forEach((m, i) => {
    const row = x.data.subarray(i * SIZE, (i + 1) * SIZE);
    for (let k = 0; k < SIZE; k++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      row[k] = 0.45 + 0.1 * (s / 2147483648);
    }
    const f = w.reduce((a, v, k) => a + v * row[k], b);
    // Move along w until f = -m; the step is small enough to stay well inside [0, 1].
    const t = (-m - f) / norm2;
    for (let k = 0; k < SIZE; k++) row[k] += t * w[k];
  });
  return x;
}

export function decision(w: Float64Array, b: number, x: Float32Array): number {
  return w.reduce((a, v, k) => a + v * x[k], b);
}

export function norm(v: ArrayLike<number>, p: 'l2' | 'linf' | 'l1'): number {
  let acc = 0;
  for (let i = 0; i < v.length; i++) acc = p === 'linf' ? Math.max(acc, Math.abs(v[i])) : p === 'l2' ? acc + v[i] * v[i] : acc + Math.abs(v[i]);
  return p === 'l2' ? Math.sqrt(acc) : acc;
}

export function sampleDelta(adv: FloatTensor, x0: FloatTensor, i: number): Float64Array {
  return Float64Array.from({ length: SIZE }, (_, k) => adv.data[i * SIZE + k] - x0.data[i * SIZE + k]);
}
