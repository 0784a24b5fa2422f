import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPhysicalAttack } from '../../../src/engine/attacks/physical/run';
import { RunStore } from '../../../src/engine/runs/store';
import { tempDir } from '../../helpers/paths';
import { toyFaceDescriptor, toyFaceDetector, writeToyFaces } from '../../helpers/toy-faces';
import type { GradientOracle, LossArgs } from '../../../src/engine/autodiff/oracle';
import type { Objective } from '../../../src/engine/attacks/physical/objective';
import type { AttackTarget } from '../../../src/engine/attacks/physical/target';
import { bilinearResize, bilinearResizeAdjoint, keepDetectable } from '../../../src/engine/faces/detectable';
import { Rng } from '../../../src/engine/random';
import { floatTensor, type FloatTensor } from '../../../src/engine/tensor/tensor';

function random(dims: number[], seed: number): FloatTensor {
  const rng = new Rng(seed, 1);
  const t = floatTensor(dims);
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.next();
  return t;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe('bilinear resize', () => {
  it('keeps a constant image constant, up and down', () => {
    const t = floatTensor([1, 3, 7, 5]);
    t.data.fill(0.25);
    for (const [h, w] of [[16, 12], [3, 2]]) expect(Array.from(bilinearResize(t, h, w).data).every((v) => Math.abs(v - 0.25) < 1e-6)).toBe(true);
  });

  it('its adjoint is the transpose: <R x, y> = <x, R^T y>', () => {
    for (const [inH, inW, outH, outW] of [[9, 9, 13, 13], [13, 11, 6, 5]]) {
      const x = random([2, 3, inH, inW], 1);
      const y = random([2, 3, outH, outW], 2);
      const lhs = dot(bilinearResize(x, outH, outW).data, y.data);
      const rhs = dot(x.data, bilinearResizeAdjoint(y, inH, inW).data);
      expect(Math.abs(lhs - rhs) / Math.abs(lhs)).toBeLessThan(1e-5);
    }
  });
});

/**
 * A detector with two anchors whose logits are linear in the mean pixel value:
 * logit_k = slope_k · mean(pixels) + offset_k. Its input gradient is known in closed form.
 */
function linearDetector(slopes: number[], offsets: number[], size = 8): AttackTarget {
  const logits = (pixels: FloatTensor): FloatTensor => {
    const n = pixels.dims[0];
    const per = pixels.data.length / n;
    const out = floatTensor([n, slopes.length, 1]);
    for (let b = 0; b < n; b++) {
      let m = 0;
      for (let i = 0; i < per; i++) m += pixels.data[b * per + i] / per;
      slopes.forEach((s, k) => (out.data[b * slopes.length + k] = s * m + offsets[k]));
    }
    return out;
  };
  const oracle: GradientOracle = {
    width: size,
    height: size,
    forward: async (pixels) => ({ score: logits(pixels) }),
    async gradient(pixels, args?: LossArgs) {
      const g = args?.outputGrads?.score;
      if (!g) throw new Error('expected output grads');
      const n = pixels.dims[0];
      const per = pixels.data.length / n;
      const grad = floatTensor(pixels.dims);
      for (let b = 0; b < n; b++) {
        let d = 0;
        slopes.forEach((s, k) => (d += g.data[b * slopes.length + k] * s));
        grad.data.fill(d / per, b * per, (b + 1) * per);
      }
      return { loss: new Float32Array(n), meanLoss: 0, outputs: {}, grad };
    },
    dispose: async () => undefined,
  };
  return { name: 'linear-detector', hash: 'x', width: size, height: size, task: 'detector', labels: ['face'], outputs: { logits16: 'score' }, threshold: 0.5, classAxis: async () => 2, createOracle: async () => oracle, predict: async () => [] };
}

/** A goal whose own gradient is all ones and whose every view succeeds. */
function baseObjective(sign: 1 | -1): Objective {
  return {
    loss: { kind: 'cosine', output: 'e' },
    outputs: [],
    sign,
    describe: 'base',
    args: () => ({}),
    success: (l) => Array.from(l, () => true),
  };
}

const mainOracle: GradientOracle = {
  width: 6,
  height: 6,
  forward: async () => ({}),
  async gradient(pixels) {
    const grad = floatTensor(pixels.dims);
    grad.data.fill(1);
    return { loss: new Float32Array(pixels.dims[0]), meanLoss: 0, outputs: {}, grad };
  },
  dispose: async () => undefined,
};

describe('keepDetectable', () => {
  it("pushes the best face logit up on views below the margin, in the minimised objective's direction", async () => {
    // Anchor 1 is the best (slope 4 > 1); at mean 0.5 its logit is 4 · 0.5 − 1.5 = 0.5 < margin 2.
    const obj = keepDetectable(baseObjective(-1), linearDetector([1, 4], [-3, -1.5]), { weight: 0.1 });
    const pixels = floatTensor([1, 3, 6, 6]);
    pixels.data.fill(0.5);
    const r = await obj.evaluate!(mainOracle, pixels, [0]);
    // The term is −0.1 · logit_1, d/d(pixel) = −0.1 · 4 / (3·8·8) on the detector's input; resized back
    // 8² -> 6² it sums to the same total. Pre-multiplied by sign (−1), so after physical.ts's sign it descends.
    const extra = Array.from(r.grad.data, (g) => g - 1);
    const total = extra.reduce((a, v) => a + v, 0);
    expect(total).toBeCloseTo(-1 * -0.1 * 4, 4);
    expect(obj.success(r.loss, [0], r.outputs)).toEqual([true]);
    await obj.dispose!();
  });

  it('leaves the gradient alone above the margin, and fails views where the face is lost', async () => {
    const high = keepDetectable(baseObjective(1), linearDetector([1, 4], [-3, 2]), { weight: 0.1 });
    const pixels = floatTensor([2, 3, 6, 6]);
    pixels.data.fill(0.5);
    const r = await high.evaluate!(mainOracle, pixels, [0, 1]);
    expect(Array.from(r.grad.data).every((g) => g === 1)).toBe(true);
    expect(high.success(r.loss, [0, 1], r.outputs)).toEqual([true, true]);

    const lost = keepDetectable(baseObjective(1), linearDetector([1, 4], [-3, -2.5]), { weight: 0.1 });
    const r2 = await lost.evaluate!(mainOracle, pixels, [0, 1]);
    // Best logit 4 · 0.5 − 2.5 = −0.5: blazeface's 0.5 cut would drop the face.
    expect(lost.success(r2.loss, [0, 1], r2.outputs)).toEqual([false, false]);
    expect(lost.describe).toMatch(/relu\(2 − best linear-detector face logit\)/);
  });
});

describe('the detector in the eyeglass attack', () => {
  it('is on by default for impersonation and off for dodging; a stand-in detector without a model leaves it out with a note', async () => {
    const root = tempDir('patchlab-detectable-');
    mkdirSync(join(root, 'faces'));
    const [wearer, target] = await writeToyFaces(join(root, 'faces'), 2);
    const common = { attack: 'glasses' as const, model: 'toy-faces', scenes: wearer, resolution: 64, steps: 2, batch: 2, exportSize: 128, sampleCount: 2 };
    const options = { target: toyFaceDescriptor(), faceDetector: toyFaceDetector, previewEvery: 0 };
    await runPhysicalAttack({ ...common, goal: 'impersonate', target }, join(root, 'imp'), { ...options, faceDetectorModel: linearDetector([1, 4], [-3, 2]) });
    const imp = RunStore.open(join(root, 'imp')).readRecord();
    expect(imp.config).toMatchObject({ keepDetectable: 0.05 });
    expect(imp.summary?.objective).toMatch(/\+ 0\.05 · relu\(2 − best linear-detector face logit\)/);

    await runPhysicalAttack({ ...common, goal: 'impersonate', target }, join(root, 'stand-in'), options);
    const standIn = RunStore.open(join(root, 'stand-in')).readRecord();
    expect(standIn.summary?.objective).not.toMatch(/relu/);
    expect(standIn.notes).toContain('keep-detectable: the face detector given is not a model; the term is left out');

    await runPhysicalAttack({ ...common, goal: 'dodge' }, join(root, 'dodge'), { ...options, faceDetectorModel: linearDetector([1, 4], [-3, 2]) });
    const dodge = RunStore.open(join(root, 'dodge')).readRecord();
    expect(dodge.config).toMatchObject({ keepDetectable: 0 });
    expect(dodge.summary?.objective).not.toMatch(/relu/);
  });
});
