import { describe, expect, it } from 'vitest';
import { emptyState, learningRate, optimizerStep, type OptimizerSettings } from '../../../src/engine/train/optimizer';

const base: OptimizerSettings = { kind: 'adam', momentum: 0.9, beta1: 0.9, beta2: 0.999, weightDecay: 0 };
const one = (w: number[], g: number[], dims: number[]) => ({
  values: new Map([['w', Float32Array.from(w)]]),
  grads: new Map([['w', Float32Array.from(g)]]),
  dims: new Map([['w', dims]]),
});

describe('optimisers', () => {
  it('Adam: the first step moves every weight by lr against the sign of its gradient, whatever its size', () => {
    const p = one([1, 1, 1], [1e-3, -5, 0.2], [3, 1]);
    optimizerStep(base, emptyState(), p.values, p.grads, p.dims, 0.01);
    const w = p.values.get('w')!;
    expect(w[0]).toBeCloseTo(0.99, 5);
    expect(w[1]).toBeCloseTo(1.01, 5);
    expect(w[2]).toBeCloseTo(0.99, 5);
  });

  it('SGD with momentum: two steps follow v <- m v + g, w <- w - lr v; L2 decay applies to weights, not biases', () => {
    const p = one([2], [0.5], [1]);
    const s = emptyState();
    const sgd = { ...base, kind: 'sgd' as const, weightDecay: 0.1 };
    optimizerStep(sgd, s, p.values, p.grads, p.dims, 0.1);
    optimizerStep(sgd, s, p.values, p.grads, p.dims, 0.1);
    // rank-1 parameter (a bias): no decay. v1 = 0.5, w1 = 1.95; v2 = 0.9*0.5 + 0.5 = 0.95, w2 = 1.855
    expect(p.values.get('w')![0]).toBeCloseTo(1.855, 5);
    const q = one([2, 2], [0.5, 0.5], [2, 1]);
    optimizerStep(sgd, emptyState(), q.values, q.grads, q.dims, 0.1);
    expect(q.values.get('w')![0]).toBeCloseTo(2 - 0.1 * (0.5 + 0.1 * 2), 5);
  });

  it('AdamW decays weights by lr * wd apart from the gradient step', () => {
    const p = one([1, 1], [0, 0], [2, 1]);
    optimizerStep({ ...base, kind: 'adamw', weightDecay: 0.5 }, emptyState(), p.values, p.grads, p.dims, 0.1);
    expect(p.values.get('w')![0]).toBeCloseTo(0.95, 6);
  });

  it('schedules: cosine from base to 0, step /10 at half and /100 at three quarters, warmup ramps', () => {
    expect(learningRate('cosine', 0.1, 0, 100)).toBeCloseTo(0.1);
    expect(learningRate('cosine', 0.1, 50, 100)).toBeCloseTo(0.05);
    expect(learningRate('cosine', 0.1, 100, 100)).toBeCloseTo(0);
    expect(learningRate('step', 0.1, 49, 100)).toBeCloseTo(0.1);
    expect(learningRate('step', 0.1, 50, 100)).toBeCloseTo(0.01);
    expect(learningRate('step', 0.1, 80, 100)).toBeCloseTo(0.001);
    expect(learningRate('constant', 0.1, 80, 100, 10)).toBeCloseTo(0.1);
    expect(learningRate('constant', 0.1, 4, 100, 10)).toBeCloseTo(0.05);
  });
});
