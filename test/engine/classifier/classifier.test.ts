import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, LinearLoss, MarginLoss, type LogitLoss } from '../../../src/engine/classifier/losses';
import { floatTensor } from '../../../src/engine/tensor/tensor';
import type { ScoreActivation } from '../../../src/engine/classifier/classifier';
import { linearClassifier, randomLinear, testImages, type LinearModel } from '../../helpers/linear-oracle';

/** Central finite difference of sum(loss) along a few coordinates, through logits only. */
async function finiteDifference(model: LinearModel, loss: LogitLoss, coords: number[], activation?: ScoreActivation): Promise<number[]> {
  const { classifier } = await linearClassifier(model, undefined, activation);
  const x = testImages(2, model.width, model.height);
  const h = 1e-3;
  const out: number[] = [];
  for (const k of coords) {
    const plus = floatTensor(x.dims, Float32Array.from(x.data));
    const minus = floatTensor(x.dims, Float32Array.from(x.data));
    plus.data[k] += h;
    minus.data[k] -= h;
    const lp = loss.evaluate((await classifier.logits(plus)).data, classifier.classes).loss;
    const lm = loss.evaluate((await classifier.logits(minus)).data, classifier.classes).loss;
    out.push((lp.reduce((a, b) => a + b) - lm.reduce((a, b) => a + b)) / (2 * h));
  }
  return out;
}

const losses = (classes: number): [string, LogitLoss][] => [
  ['ce', new CrossEntropyLoss([0, classes - 1])],
  ['ce targeted', new CrossEntropyLoss([1, 0], true)],
  ['margin', new MarginLoss([0, 1], 100)],
  ['linear', new LinearLoss(Float32Array.from({ length: 2 * classes }, (_, i) => (i % 3) - 1), classes)],
];

describe('ModelClassifier: every route gives the gradient of the loss on logits', () => {
  const emits = ['logits', 'probabilities', 'sigmoid1'] as const;
  for (const kind of emits) {
    for (const [name, loss] of losses(kind === 'sigmoid1' ? 2 : 4)) {
      it(`${kind} model, ${name} loss`, async () => {
        const model = randomLinear(4, 3, kind === 'sigmoid1' ? 1 : 4, 5, kind);
        const { classifier } = await linearClassifier(model);
        expect(classifier.classes).toBe(kind === 'sigmoid1' ? 2 : 4);
        const x = testImages(2, 4, 3);
        const r = await classifier.gradient(x, loss);
        const coords = [0, 7, 20, 36 + 5, 36 + 30];
        const fd = await finiteDifference(model, loss, coords);
        coords.forEach((k, i) => expect(r.grad.data[k]).toBeCloseTo(fd[i], 2));
        const direct = loss.evaluate((await classifier.logits(x)).data, classifier.classes).loss;
        expect(Array.from(r.loss).map((v) => Number(v.toFixed(3)))).toEqual(Array.from(direct).map((v) => Number(v.toFixed(3))));
      });
    }
  }

  it('single sigmoid logit (activation sigmoid): both logits move and every loss matches finite differences', async () => {
    const model = randomLinear(4, 3, 1, 8, 'logits');
    const { classifier } = await linearClassifier(model, undefined, 'sigmoid');
    expect(classifier.classes).toBe(2);
    const x = testImages(2, 4, 3);
    const logits = await classifier.logits(x);
    expect(logits.data[0]).toBeCloseTo(-logits.data[1], 6);
    for (const [, loss] of losses(2)) {
      const r = await classifier.gradient(x, loss);
      const coords = [0, 7, 20, 36 + 5];
      const fd = await finiteDifference(model, loss, coords, 'sigmoid');
      coords.forEach((k, i) => expect(r.grad.data[k]).toBeCloseTo(fd[i], 2));
    }
  });

  it('names the two classes of a single-score model from its one label', async () => {
    const { classifier } = await linearClassifier(randomLinear(2, 2, 1, 1, 'sigmoid1'), ['real']);
    expect([classifier.labelOf(0), classifier.labelOf(1)]).toEqual(['not real', 'real']);
  });
});
