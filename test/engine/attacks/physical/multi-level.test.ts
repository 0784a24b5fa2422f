import { describe, expect, it } from 'vitest';
import type { GradientOracle, LossArgs } from '../../../../src/engine/autodiff/oracle';
import { ensembleObjective } from '../../../../src/engine/attacks/physical/ensemble-objective';
import { heatmapRoles, multiLevelObjective } from '../../../../src/engine/attacks/physical/multi-level';
import { buildObjective, type Objective } from '../../../../src/engine/attacks/physical/objective';
import type { AttackTarget } from '../../../../src/engine/attacks/physical/target';
import { floatTensor, type FloatTensor } from '../../../../src/engine/tensor/tensor';
import { random } from '../../../helpers/tfjs-graph';

/**
 * A two-level "detector" linear in its pixels, with its exact VJP, standing in for NanoDet's
 * three score maps: level `a` (stride 8) and level `b` (stride 16) hold, per cell, class 0 =
 * the mean red and class 1 = the mean blue of the cell's pixels, NCHW.
 */
const STRIDES = { a: 8, b: 16 } as const;

function pooledOracle(size: number): GradientOracle & { calls: number } {
  const forward = (pixels: FloatTensor): Record<string, FloatTensor> => {
    const n = pixels.dims[0];
    const out: Record<string, FloatTensor> = {};
    for (const [name, s] of Object.entries(STRIDES)) {
      const side = size / s;
      const t = floatTensor([n, 2, side, side]);
      for (let b = 0; b < n; b++) {
        for (let k = 0; k < 2; k++) {
          const ch = k === 0 ? 0 : 2;
          for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) t.data[((b * 2 + k) * side + Math.floor(y / s)) * side + Math.floor(x / s)] += pixels.data[((b * 3 + ch) * size + y) * size + x] / (s * s);
        }
      }
      out[name] = t;
    }
    return out;
  };
  const oracle = {
    width: size,
    height: size,
    calls: 0,
    async forward(pixels: FloatTensor) {
      return forward(pixels);
    },
    async gradient(pixels: FloatTensor, args: LossArgs = {}) {
      oracle.calls++;
      const n = pixels.dims[0];
      const grad = floatTensor(pixels.dims);
      for (const [name, g] of Object.entries(args.outputGrads ?? {})) {
        const s = STRIDES[name as keyof typeof STRIDES];
        const side = size / s;
        for (let b = 0; b < n; b++) {
          for (let k = 0; k < 2; k++) {
            const ch = k === 0 ? 0 : 2;
            for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) grad.data[((b * 3 + ch) * size + y) * size + x] += g.data[((b * 2 + k) * side + Math.floor(y / s)) * side + Math.floor(x / s)] / (s * s);
          }
        }
      }
      return { loss: new Float32Array(n), meanLoss: 0, outputs: forward(pixels), grad };
    },
    async dispose() {},
  };
  return oracle;
}

function pooledTarget(size: number, threshold = 0.3): AttackTarget {
  return {
    name: `pooled${size}`,
    hash: 'x',
    width: size,
    height: size,
    task: 'detector',
    labels: ['person', 'cat'],
    outputs: { heatmap: 'a', heatmap16: 'b' },
    threshold,
    classAxis: async () => 1,
    createOracle: async () => pooledOracle(size),
    predict: async () => [],
  };
}

function pixels(n: number, size: number, seed: number): FloatTensor {
  const r = random(seed);
  const t = floatTensor([n, 3, size, size]);
  for (let i = 0; i < t.data.length; i++) t.data[i] = r();
  return t;
}

/** The objective's loss summed over the batch, and its gradient along a random direction against central differences. */
async function checkGradient(objective: Objective, oracle: GradientOracle, x: FloatTensor, seed: number): Promise<void> {
  const r = random(seed);
  const d = Float32Array.from(x.data, () => r() - 0.5);
  const run = async (data: Float32Array) => (objective.evaluate as NonNullable<Objective['evaluate']>)(oracle, { ...x, data }, [0, 1]);
  const base = await run(x.data);
  let analytic = 0;
  for (let i = 0; i < d.length; i++) analytic += base.grad.data[i] * d[i];
  const eps = 1e-3;
  const plus = await run(x.data.map((v, i) => v + eps * d[i]));
  const minus = await run(x.data.map((v, i) => v - eps * d[i]));
  const sum = (l: Float32Array) => l.reduce((a, v) => a + v, 0);
  const fd = (sum(plus.loss) - sum(minus.loss)) / (2 * eps);
  expect(Math.abs(analytic)).toBeGreaterThan(1e-3);
  expect(fd).toBeCloseTo(analytic, 2);
}

describe('hide losses over several score maps (NanoDet)', () => {
  it('the manifest roles heatmap, heatmap16, heatmap32 are the levels; buildObjective takes them all', async () => {
    expect(heatmapRoles({ heatmap: 'x', heatmap16: 'y', heatmap32: 'z', sizes: 'w' })).toEqual(['heatmap', 'heatmap16', 'heatmap32']);
    const objective = await buildObjective({ target: pooledTarget(64), goal: 'hide', classIndex: 0, hideLoss: 'tiles' });
    expect(objective.outputs).toEqual(['a', 'b']);
    expect(objective.describe).toMatch(/tiles of 2 levels/);
  });

  it('max: the largest class score on any level, its gradient exact', async () => {
    const target = pooledTarget(64);
    const objective = multiLevelObjective(target, [{ output: 'a', axis: 1 }, { output: 'b', axis: 1 }], { hide: 0, hideLoss: 'max' });
    const oracle = pooledOracle(64);
    const x = pixels(2, 64, 1);
    // A bright red 8x8 block: the stride-8 map holds the largest person score there.
    for (let y = 16; y < 24; y++) for (let xx = 40; xx < 48; xx++) x.data[y * 64 + xx] = 2;
    const maps = await oracle.forward(x);
    const r = await (objective.evaluate as NonNullable<Objective['evaluate']>)(oracle, x, [0, 1]);
    expect(r.loss[0]).toBeCloseTo(Math.max(...maps.a.data.subarray(0, 64), ...maps.b.data.subarray(0, 16)), 5);
    expect(r.loss[0]).toBeCloseTo(2, 5);
    expect(objective.success(r.loss, [0, 1], r.outputs)).toEqual([false, false]);
    await checkGradient(objective, oracle, x, 2);
  });

  it('tiles: (tile max - threshold/2)+ over ~32 px tiles of every level (4 cells at stride 8, 2 at stride 16)', async () => {
    const target = pooledTarget(64, 0.3);
    const objective = multiLevelObjective(target, [{ output: 'a', axis: 1 }, { output: 'b', axis: 1 }], { hide: 0, hideLoss: 'tiles' });
    const oracle = pooledOracle(64);
    const x = floatTensor([1, 3, 64, 64]);
    // Red 0.5 in the top-left 32x32 quarter only: one tile per level above the floor 0.15.
    for (let y = 0; y < 32; y++) for (let xx = 0; xx < 32; xx++) x.data[y * 64 + xx] = 0.5;
    const r = await (objective.evaluate as NonNullable<Objective['evaluate']>)(oracle, x, [0]);
    expect(r.loss[0]).toBeCloseTo(2 * (0.5 - 0.15), 5);
    // Each 32 px tile takes a tile max: making the whole image red adds the other 3 tiles per level.
    x.data.fill(0.5, 0, 64 * 64);
    const all = await (objective.evaluate as NonNullable<Objective['evaluate']>)(oracle, x, [0]);
    expect(all.loss[0]).toBeCloseTo(8 * (0.5 - 0.15), 5);
    x.data.fill(0.1, 0, 64 * 64);
    const none = await (objective.evaluate as NonNullable<Objective['evaluate']>)(oracle, x, [0]);
    expect(none.loss[0]).toBe(0);
    expect(objective.success(none.loss, [0], none.outputs)).toEqual([true]);
    await checkGradient(objective, oracle, pixels(2, 64, 5), 6);
  });

  it('mislabel: max(person) - max(cat) over all levels, its gradient exact', async () => {
    const objective = multiLevelObjective(pooledTarget(64), [{ output: 'a', axis: 1 }, { output: 'b', axis: 1 }], { hide: 0, raise: 1 });
    await checkGradient(objective, pooledOracle(64), pixels(2, 64, 7), 8);
  });
});

describe('ensemble objective: two models in one loss', () => {
  it('adds a second model (another input size) through the resize and its exact adjoint; success needs both', async () => {
    const big = pooledTarget(64);
    const small = pooledTarget(32);
    const levels = [{ output: 'a', axis: 1 }, { output: 'b', axis: 1 }];
    const base = multiLevelObjective(big, levels, { hide: 0, hideLoss: 'max' });
    const member = multiLevelObjective(small, levels, { hide: 0, hideLoss: 'max' });
    const objective = ensembleObjective(base, [{ target: small, objective: member }]);
    const oracle = pooledOracle(64);
    const x = pixels(2, 64, 3);
    const r = await (objective.evaluate as NonNullable<Objective['evaluate']>)(oracle, x, [0, 1]);
    const alone = await (base.evaluate as NonNullable<Objective['evaluate']>)(pooledOracle(64), x, [0, 1]);
    // The second model's max over the half-size view lies between 0 and 1 (means of U(0,1) pixels).
    expect(r.loss[0] - alone.loss[0]).toBeGreaterThan(0.3);
    expect(r.loss[0] - alone.loss[0]).toBeLessThan(1);
    expect(objective.describe).toMatch(/pooled32: max person score over 2 levels/);
    await checkGradient(objective, oracle, x, 4);
    // A view succeeds only where both models' person scores are under the threshold.
    const dark = floatTensor([2, 3, 64, 64]);
    for (let i = 0; i < 64 * 64; i++) dark.data[i] = 0.1;
    for (let i = 0; i < 64 * 64; i++) dark.data[3 * 64 * 64 + i] = 0.1;
    for (let y = 0; y < 8; y++) for (let xx = 0; xx < 8; xx++) dark.data[3 * 64 * 64 + y * 64 + xx] = 1;
    const d = await (objective.evaluate as NonNullable<Objective['evaluate']>)(oracle, dark, [0, 1]);
    expect(objective.success(d.loss, [0, 1], d.outputs)).toEqual([true, false]);
  });
});
