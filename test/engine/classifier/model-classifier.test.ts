import { describe, expect, it } from 'vitest';
import { scoreHead } from '../../../src/engine/classifier/model-classifier';
import { loadModel } from '../../../src/engine/models/loaded';
import { randomLinear } from '../../helpers/linear-oracle';
import { writeLinearOnnx } from '../../helpers/linear-onnx';
import { modelFixture, tempDir } from '../../helpers/paths';

describe('scoreHead', () => {
  it('looks through a final Softmax or Sigmoid to the logits for gradient attacks', async () => {
    const dir = tempDir();
    const softmax = await loadModel(writeLinearOnnx(randomLinear(4, 4, 3, 1, 'probabilities'), dir, 'softmax.onnx'));
    expect(await scoreHead(softmax)).toMatchObject({ output: 'scores', activation: 'auto' });
    expect(await scoreHead(softmax, { preActivation: true })).toMatchObject({ output: 'z', activation: 'logits' });
    const sigmoid = await loadModel(writeLinearOnnx(randomLinear(4, 4, 1, 1, 'sigmoid1'), dir, 'sigmoid.onnx'));
    expect(await scoreHead(sigmoid, { preActivation: true })).toMatchObject({ output: 'z', activation: 'sigmoid' });
    const plain = await loadModel(modelFixture('tinynet.onnx'));
    expect(await scoreHead(plain, { preActivation: true })).toMatchObject({ output: 'logits' });
  });
});
