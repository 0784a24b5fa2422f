import { describe, expect, it } from 'vitest';
import { resolveAttackConfig } from '../../../../src/engine/attacks/physical/config';
import { buildObjective } from '../../../../src/engine/attacks/physical/objective';
import type { AttackTarget } from '../../../../src/engine/attacks/physical/target';
import { floatTensor } from '../../../../src/engine/tensor/tensor';

/** An embedding model as the objective sees it; only its declared outputs and threshold matter here. */
const faces: AttackTarget = {
  name: 'faces',
  hash: 'h',
  width: 8,
  height: 8,
  task: 'embedding',
  labels: [],
  outputs: { embedding: 'emb' },
  threshold: 0.7,
  classAxis: () => Promise.resolve(1),
  createOracle: () => Promise.reject(new Error('not used')),
  predict: () => Promise.resolve([]),
};

const target = Float32Array.from([1, 0, 0]);
const wearer = Float32Array.from([0.6, 0.8, 0]);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);

describe('impersonation objective', () => {
  it('maximises the cosine to the direction target − λ·wearer, a unit vector per scene', async () => {
    for (const away of [0, 0.5, 1]) {
      const obj = await buildObjective({ target: faces, goal: 'impersonate', sceneVectors: [wearer], targetVector: target, awayFromWearer: away });
      expect(obj.sign).toBe(-1);
      expect(obj.loss).toEqual({ kind: 'cosine', output: 'emb' });
      const v = obj.args([0, 0]).vectors!;
      expect(v.dims).toEqual([2, 3]);
      const row = v.data.subarray(0, 3);
      const expected = [1 - away * 0.6, -away * 0.8, 0];
      const n = Math.hypot(...expected);
      expect(Array.from(row).map((x) => +x.toFixed(6))).toEqual(expected.map((x) => +(x / n).toFixed(6)));
      // e·v = (e·t − λ e·s) / |t − λs|: the target's pull and the wearer's push in the ratio 1 : λ.
      const e = Float32Array.from([0, 0.6, 0.8]);
      expect(dot(e, row) * n).toBeCloseTo(dot(e, target) - away * dot(e, wearer), 5);
      expect(obj.describe).toBe(away > 0 ? `cosine to (target − ${away} · wearer)` : "similarity to the target's enrolled face");
    }
  });

  it('counts a view only when the target matches and beats the wearer', async () => {
    const obj = await buildObjective({ target: faces, goal: 'impersonate', sceneVectors: [wearer], targetVector: target, awayFromWearer: 0.5 });
    const e = floatTensor([3, 3]);
    e.data.set([0.8, 0.6, 0, /* t 0.8 ≥ 0.7 but wearer 0.96 */ 0.95, 0.3122, 0, /* t 0.95, wearer 0.82 */ 0.5, 0.5, 0.7071 /* t 0.5, below the threshold */]);
    expect(obj.success(new Float32Array(3), [0, 0, 0], { emb: e })).toEqual([false, true, false]);
  });
});

describe('glasses defaults per goal', () => {
  it('impersonation gets the thick frame, a larger step and a lighter TV term; dodging keeps its own; flags win', () => {
    const base = { attack: 'glasses' as const, model: 'faceres', scenes: 'x.png' };
    const imp = resolveAttackConfig({ ...base, goal: 'impersonate', target: 't.png' });
    expect(imp).toMatchObject({ shape: { kind: 'eyeglasses', frame: 'thick' }, size: 1.2, steps: 300, optimiser: { lr: 0.1 }, weights: { tv: 0.2, nps: 0.01 }, awayFromWearer: 0.5 });
    const dodge = resolveAttackConfig({ ...base, goal: 'dodge' });
    expect(dodge).toMatchObject({ shape: { kind: 'eyeglasses' }, size: 1, steps: 200, optimiser: { lr: 0.02 }, weights: { tv: 1 } });
    expect(dodge.shape).toEqual({ kind: 'eyeglasses' });
    const mine = resolveAttackConfig({ ...base, goal: 'impersonate', target: 't.png', shape: { kind: 'eyeglasses', frame: 'classic' }, size: 1, optimiser: { lr: 0.03 }, weights: { tv: 1 } });
    expect(mine).toMatchObject({ shape: { frame: 'classic' }, size: 1, optimiser: { lr: 0.03 }, weights: { tv: 1 } });
  });
});
