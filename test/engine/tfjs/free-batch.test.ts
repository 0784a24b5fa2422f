import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/engine/errors';
import { tfjsGraphModel } from '../../../src/engine/tfjs/artifacts';
import { convertTfjs } from '../../../src/engine/tfjs/convert';
import { tfjs } from '../../../src/engine/tfjs/runtime';
import { createSession } from '../../../src/engine/onnx/session';
import { writeModel } from '../../../src/engine/onnx/write';
import { a, GraphBuilder, ints, randomTensor, relativeDiff } from '../../helpers/tfjs-graph';

/** Conv -> relu -> flatten -> dense, declared with a batch of `batch` (-1: free), as TF.js exports of fixed-batch models are. */
function net(batch: number): GraphBuilder {
  const g = new GraphBuilder();
  const x = g.input('image', [batch, 6, 6, 3]);
  const conv = g.op('conv', '_FusedConv2D', [x, g.const('conv/w', randomTensor([3, 3, 3, 4], 11)), g.const('conv/b', randomTensor([4], 12))], {
    strides: a.ints([1, 2, 2, 1]),
    padding: a.s('SAME'),
    data_format: a.s('NHWC'),
    dilations: a.ints([1, 1, 1, 1]),
    fused_ops: a.strings(['BiasAdd', 'Relu']),
    num_args: a.i(1),
  });
  const flat = g.op('flat', 'Reshape', [conv, g.const('flat/shape', ints([2], [-1, 36]))], {});
  g.op('logits', 'MatMul', [flat, g.const('dense/w', randomTensor([36, 5], 13))], { transpose_a: a.b(false), transpose_b: a.b(false) });
  return g;
}

describe('--free-batch TF.js conversion', () => {
  it('leaves a declared batch of 1 symbolic, and a batch of 2 in one run matches TF.js', async () => {
    const fixed = await convertTfjs(net(1).artifacts(), { outputs: ['logits'] });
    expect(fixed.model.graph.inputs[0].shape?.[0]).toBe(1);
    const { model, report } = await convertTfjs(net(1).artifacts(), { outputs: ['logits'], freeBatch: true });
    const batchDim = model.graph.inputs[0].shape?.[0];
    expect(typeof batchDim).toBe('string');
    expect(report.inputs[0].shape[0]).toBeNull();

    const feed = randomTensor([2, 6, 6, 3], 21, 0, 1);
    const session = await createSession(writeModel(model), { threads: 1 });
    const nchw = new Float32Array(feed.values.length);
    for (let n = 0; n < 2; n++) for (let p = 0; p < 36; p++) for (let c = 0; c < 3; c++) nchw[(n * 3 + c) * 36 + p] = feed.values[(n * 36 + p) * 3 + c];
    const out = (await session.run({ [model.graph.inputs[0].name]: { type: 'float32', dims: [2, 3, 6, 6], data: nchw } }))[model.graph.outputs[0].name];
    await session.release();
    expect([...out.dims]).toEqual([2, 5]);

    // TF.js refuses a batch of 2 on a placeholder declared [1, ...]: the reference is the same net declared free.
    const tf = await tfjs();
    const reference = await tfjsGraphModel(net(-1).artifacts());
    const input = tf.tensor(feed.values as Float32Array, feed.shape);
    const want = reference.execute({ image: input }, 'logits') as import('@tensorflow/tfjs-core').Tensor;
    expect(relativeDiff(Array.from(want.dataSync()), Array.from(out.data as Float32Array))).toBeLessThan(1e-5);
    tf.dispose([input, want]);
  });

  it('refuses --batch together with --free-batch', async () => {
    await expect(convertTfjs(net(1).artifacts(), { freeBatch: true, batch: 4 })).rejects.toThrow(UserError);
  });
});
