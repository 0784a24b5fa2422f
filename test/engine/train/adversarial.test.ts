import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/engine/random';
import { floatTensor } from '../../../src/engine/tensor/tensor';
import { pairTargets, perturbBatch, tradesBatch, type AdversarialSettings } from '../../../src/engine/train/adversarial';
import { buildArchitecture } from '../../../src/engine/train/arch';
import { parametersOf } from '../../../src/engine/train/parameters';
import { TrainingGraph } from '../../../src/engine/train/training-graph';

const B = 4;
const SIZE = 12;

function batch() {
  const rng = new Rng(3);
  const x = floatTensor([B, 1, SIZE, SIZE], Float32Array.from({ length: B * SIZE * SIZE }, () => rng.next()));
  const t = new Float32Array(B * 10);
  for (let b = 0; b < B; b++) t[b * 10 + b] = 1;
  return { x, targets: floatTensor([B, 10], t) };
}

describe('adversarial examples for training', () => {
  for (const kind of ['pgd', 'fgsm-rs'] as const) {
    it(`${kind}: stays in the eps-ball and the [0,1] box and raises the loss above clean and random noise`, async () => {
      const core = buildArchitecture('cnn', { classes: 10, size: SIZE, seed: 1 });
      const params = parametersOf(core, 10);
      const attack = await TrainingGraph.create(core, params, { batch: B, objective: { kind: 'soft-ce', temperature: 1 }, weightGradients: false, threads: 1 });
      const s: AdversarialSettings = { kind, eps: 0.1, steps: 5, alpha: 0.03, beta: 6 };
      const { x, targets } = batch();
      const adv = await perturbBatch(s, attack, params, x, targets, new Rng(1));
      const noise = floatTensor(x.dims, x.data.map((v, i) => Math.min(1, Math.max(0, v + (i % 2 ? 0.1 : -0.1)))));
      const loss = async (t: typeof x) => (await attack.run(t, targets, params)).loss;
      const [clean, noisy, attacked] = [await loss(x), await loss(noise), await loss(adv)];
      await attack.release();
      adv.data.forEach((v, i) => {
        expect(Math.abs(v - x.data[i])).toBeLessThanOrEqual(0.1 + 1e-6);
        expect(v >= 0 && v <= 1).toBe(true);
      });
      expect(attacked).toBeGreaterThan(clean);
      expect(attacked).toBeGreaterThan(noisy);
    });
  }

  it('trades: the inner maximisation raises KL(p(x) || p(x\')) (the trades loss on [clean; adversarial])', async () => {
    const core = buildArchitecture('cnn', { classes: 10, size: SIZE, seed: 1 });
    const params = parametersOf(core, 10);
    const graph = await TrainingGraph.create(core, params, { batch: 2 * B, objective: { kind: 'trades', beta: 6 }, weightGradients: false, threads: 1 });
    const { x, targets } = batch();
    const adv = await tradesBatch({ kind: 'trades', eps: 0.1, steps: 5, alpha: 0.03, beta: 6 }, graph, params, x, targets, new Rng(2));
    const pair = (second: typeof x) => floatTensor([2 * B, 1, SIZE, SIZE], Float32Array.from([...x.data, ...second.data]));
    const same = (await graph.run(pair(x), pairTargets(targets), params)).loss;
    const attacked = (await graph.run(pair(adv), pairTargets(targets), params)).loss;
    await graph.release();
    expect(attacked).toBeGreaterThan(same);
  });
});
