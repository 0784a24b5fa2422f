import { describe, expect, it } from 'vitest';
import { chunkedOracle } from '../../../../src/engine/attacks/physical/chunked-oracle';
import { Rng } from '../../../../src/engine/random';
import { floatTensor } from '../../../../src/engine/tensor/tensor';
import { toyDetector } from '../../../helpers/toy-detector';

describe('chunkedOracle', () => {
  it('gives a fixed-batch graph the same losses, outputs and gradients as one batched run', async () => {
    const target = toyDetector(32, 32);
    const whole = await target.createOracle({ kind: 'max', output: 'heatmap', channels: [0, 1], axis: 1 }, ['heatmap']);
    const pixels = floatTensor([5, 3, 32, 32]);
    const rng = new Rng(4);
    for (let i = 0; i < pixels.data.length; i++) pixels.data[i] = rng.next();
    const a = await whole.gradient(pixels);
    for (const size of [1, 2]) {
      const b = await chunkedOracle(whole, size).gradient(pixels);
      expect(b.loss).toEqual(a.loss);
      expect(b.meanLoss).toBeCloseTo(a.meanLoss, 6);
      expect(b.grad).toEqual(a.grad);
      expect(b.outputs.heatmap).toEqual(a.outputs.heatmap);
    }
    const g = floatTensor([5, 2, 8, 8]);
    g.data.fill(0.5);
    const vjp = await target.createOracle({ kind: 'vjp', outputs: ['heatmap'] }, ['heatmap']);
    const full = await vjp.gradient(pixels, { outputGrads: { heatmap: g } });
    const split = await chunkedOracle(vjp, 2).gradient(pixels, { outputGrads: { heatmap: g } });
    expect(split.grad).toEqual(full.grad);
  });
});
