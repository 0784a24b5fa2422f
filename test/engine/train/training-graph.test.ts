import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/engine/random';
import { createSession } from '../../../src/engine/onnx/session';
import { writeModel } from '../../../src/engine/onnx/write';
import { floatTensor } from '../../../src/engine/tensor/tensor';
import { buildArchitecture, GRAY_INPUT, LOGITS } from '../../../src/engine/train/arch';
import { foldBatchNorms, inferenceModel, RGB_INPUT } from '../../../src/engine/train/export';
import { parametersOf, withParameters } from '../../../src/engine/train/parameters';
import { TrainingGraph } from '../../../src/engine/train/training-graph';
import { replicate } from '../../../src/engine/train/teacher';

const B = 4;
const SIZE = 12;

function batch(seed: number) {
  const rng = new Rng(seed);
  const x = floatTensor([B, 1, SIZE, SIZE], Float32Array.from({ length: B * SIZE * SIZE }, () => rng.next()));
  const t = new Float32Array(B * 10);
  for (let b = 0; b < B; b++) t[b * 10 + ((3 * b) % 10)] = 1;
  return { x, targets: floatTensor([B, 10], t) };
}

describe('training graph (training-mode BatchNorm, weights as inputs)', () => {
  for (const arch of ['cnn', 'resnet'] as const) {
    it(`${arch}: the weight gradient agrees with a central difference of the training-mode loss along a random direction`, async () => {
      const core = buildArchitecture(arch, { classes: 10, size: SIZE, seed: 2 });
      const params = parametersOf(core, 10);
      const g = await TrainingGraph.create(core, params, { batch: B, objective: { kind: 'soft-ce', temperature: 1 }, weightGradients: true, threads: 1 });
      const { x, targets } = batch(5);
      const out = await g.run(x, targets, params);
      expect(params.running.length).toBeGreaterThan(0);
      expect(out.stats.size).toBe(params.running.length);
      // Per parameter tensor, along a random unit direction: small enough not to cross ReLU/max-pool kinks.
      const rng = new Rng(9);
      const eps = 1e-3;
      let checked = 0;
      for (const name of params.trainable) {
        const raw = Float32Array.from(params.values.get(name)!, () => rng.normal());
        const norm = Math.sqrt(raw.reduce((a, v) => a + v * v, 0));
        const v = raw.map((x) => x / norm);
        const gr = out.grads.get(name)!;
        let analytic = 0;
        for (let i = 0; i < v.length; i++) analytic += gr[i] * v[i];
        const shifted = async (sign: number) => {
          const values = new Map([...params.values].map(([n, w]) => [n, n === name ? Float32Array.from(w, (wi, i) => wi + sign * eps * v[i]) : w]));
          return (await g.run(x, targets, { ...params, values })).loss;
        };
        const numeric = ((await shifted(1)) - (await shifted(-1))) / (2 * eps);
        expect(Math.abs(numeric - analytic), `${name}: analytic ${analytic}, numeric ${numeric}`).toBeLessThan(0.03 * Math.abs(analytic) + 2e-3);
        if (Math.abs(analytic) > 0.01) checked++;
      }
      await g.release();
      expect(checked).toBeGreaterThan(params.trainable.length / 2);
    });
  }

  it('batch statistics differ from the inference statistics: the graph really runs BatchNorm in training mode', async () => {
    const core = buildArchitecture('cnn', { classes: 10, size: SIZE, seed: 2 });
    const params = parametersOf(core, 10);
    const g = await TrainingGraph.create(core, params, { batch: B, objective: { kind: 'soft-ce', temperature: 1 }, weightGradients: false, threads: 1 });
    const { x, targets } = batch(1);
    const out = await g.run(x, targets, params);
    await g.release();
    const mean = out.stats.get('bn1.running_mean')!;
    const variance = out.stats.get('bn1.running_var')!;
    // Conv of [0,1] noise: per-channel means spread around 0, variances far from the initial 1.
    expect(Math.max(...mean.map(Math.abs))).toBeGreaterThan(0.01);
    expect(variance.every((v) => v >= 0)).toBe(true);
    expect(out.grads.size).toBe(0);
    expect(out.inputGrad.dims).toEqual([B, 1, SIZE, SIZE]);
  });
});

describe('export', () => {
  it('folding BatchNorm into the Convs and the RGB front leave the logits unchanged for grey images', async () => {
    const core = buildArchitecture('resnet', { classes: 10, size: SIZE, seed: 3 });
    const params = parametersOf(core, 10);
    const rng = new Rng(4);
    for (const name of params.running) params.values.get(name)!.forEach((_, i, a) => (a[i] = name.endsWith('var') ? 0.5 + rng.next() : rng.uniform(-0.3, 0.3)));
    for (const name of params.trainable.filter((n) => n.includes('bn'))) params.values.get(name)!.forEach((_, i, a) => (a[i] = rng.uniform(0.5, 1.5)));
    const plain = withParameters(core, params);
    const folded = foldBatchNorms(plain);
    expect(folded.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    const { x } = batch(2);
    const a = await createSession(writeModel(plain), { threads: 1 });
    const b = await createSession(writeModel(inferenceModel(core, params, SIZE)), { threads: 1 });
    const ya = (await a.run({ [GRAY_INPUT]: x }))[LOGITS].data as Float32Array;
    const yb = (await b.run({ [RGB_INPUT]: replicate(x) }))[LOGITS].data as Float32Array;
    await a.release();
    await b.release();
    const scale = Math.max(...ya.map(Math.abs));
    ya.forEach((v, i) => expect(Math.abs(v - yb[i])).toBeLessThan(1e-4 * scale + 1e-5));
  });
});
