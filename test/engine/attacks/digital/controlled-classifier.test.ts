import { describe, expect, it } from 'vitest';
import { ControlledClassifier } from '../../../../src/engine/attacks/digital/controlled-classifier';
import { CrossEntropyLoss } from '../../../../src/engine/classifier/losses';
import { floatTensor } from '../../../../src/engine/tensor/tensor';
import { linearClassifier, randomLinear } from '../../../helpers/linear-oracle';

describe('ControlledClassifier', () => {
  it('answers as the classifier it wraps, after waiting for each checkpoint', async () => {
    const { classifier } = await linearClassifier(randomLinear(4, 3, 3, 5));
    let open: () => void = () => {};
    let gate = new Promise<void>((r) => (open = r));
    let checks = 0;
    const controlled = new ControlledClassifier(classifier, async () => {
      checks++;
      await gate;
    });
    expect([controlled.width, controlled.height, controlled.classes, controlled.labelOf(1)]).toEqual([classifier.width, classifier.height, classifier.classes, classifier.labelOf(1)]);
    const x = floatTensor([1, 3, 3, 4], new Float32Array(36).fill(0.3));
    let answered = false;
    const pending = controlled.logits(x).then((v) => ((answered = true), v));
    await new Promise((r) => setTimeout(r, 30));
    expect(answered).toBe(false); // paused: the query waits
    open();
    expect(Array.from((await pending).data)).toEqual(Array.from((await classifier.logits(x)).data));
    gate = Promise.resolve();
    const loss = new CrossEntropyLoss([0]);
    const [a, b] = [await controlled.gradient(x, loss), await classifier.gradient(x, loss)];
    expect(Array.from(a.grad.data)).toEqual(Array.from(b.grad.data));
    expect(checks).toBe(2);
  });

  it('stops an attack at the next query once the checkpoint throws', async () => {
    const { classifier } = await linearClassifier(randomLinear(4, 3, 3, 5));
    const controlled = new ControlledClassifier(classifier, async () => {
      throw new Error('stopped');
    });
    await expect(controlled.logits(floatTensor([1, 3, 3, 4]))).rejects.toThrow('stopped');
  });
});
