import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/engine/models/loaded';
import { predictFiles } from '../../../src/engine/models/predict';
import { imageFixture, modelFixture, tempDir } from '../../helpers/paths';
import { readModelFile } from '../../../src/engine/onnx/read';
import { writeModelFile } from '../../../src/engine/onnx/write';

describe('loading a bare ONNX file', () => {
  it('takes size and layout from the graph and feeds [0,1] RGB', async () => {
    const m = await loadModel(modelFixture('tinynet.onnx'));
    expect([m.width, m.height]).toEqual([224, 224]);
    expect(m.encoding).toEqual({ layout: 'NCHW', range: [0, 1], mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'RGB' });
    expect(m.fixedBatch).toBeUndefined();
    expect(m.inputDims(4)).toEqual([4, 3, 224, 224]);
  });

  it('applies flag overrides (labels, mean/std)', async () => {
    const m = await loadModel(modelFixture('tinynet.onnx'), { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], labels: ['a', 'b'] });
    expect(m.encoding.mean).toEqual([0.485, 0.456, 0.406]);
    expect(m.labelOf(1)).toBe('b');
    expect(m.labelOf(7)).toBe('7');
  });

  it('refuses a size the graph does not accept', async () => {
    await expect(loadModel(modelFixture('tinynet.onnx'), { width: 100, height: 100 })).rejects.toThrow(/expects 224x224 images, --size asked for 100x100/);
  });

  it('guesses NHWC from the channel dimension', async () => {
    const model = readModelFile(modelFixture('tinynet.onnx'));
    model.graph.inputs[0].shape = ['batch', 224, 224, 3];
    // Transpose NHWC -> NCHW in front of the original graph.
    const first = model.graph.nodes[0];
    first.inputs[0] = 'nchw';
    model.graph.nodes.unshift({ name: 'to_nchw', opType: 'Transpose', domain: '', inputs: ['input'], outputs: ['nchw'], attributes: { perm: { type: 'ints', value: [0, 3, 1, 2] } } });
    const path = join(tempDir(), 'nhwc.onnx');
    writeModelFile(model, path);
    const m = await loadModel(path);
    expect(m.encoding.layout).toBe('NHWC');
    const nchw = await loadModel(modelFixture('tinynet.onnx'));
    const [a, b] = await Promise.all([predictFiles(m, [imageFixture('dog.jpg')]), predictFiles(nchw, [imageFixture('dog.jpg')])]);
    expect(a[0].top![0].prob).toBeCloseTo(b[0].top![0].prob, 5);
  });
});

describe('predict', () => {
  it('batches images through a symbolic batch and matches one-at-a-time results', async () => {
    const m = await loadModel(modelFixture('tinynet.onnx'));
    const images = ['dog.jpg', 'eagle.jpg', 'giraffe.jpg'].map(imageFixture);
    const batched = await predictFiles(m, images, { batch: 8, top: 3 });
    const single = await predictFiles(m, images, { batch: 1, top: 3 });
    expect(batched).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(batched[i].top!.map((t) => t.index)).toEqual(single[i].top!.map((t) => t.index));
      expect(batched[i].top![0].prob).toBeCloseTo(single[i].top![0].prob, 5);
    }
    // Different photos give different scores: the images really reach the model.
    expect(batched[0].top![0].prob).not.toBeCloseTo(batched[1].top![0].prob, 6);
    const sum = batched[0].top!.reduce((s, t) => s + t.prob, 0);
    expect(sum).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('runs a model fixed to batch 1 image by image', async () => {
    const m = await loadModel(modelFixture('tinynet_fixed.onnx'));
    expect(m.fixedBatch).toBe(1);
    const out = await predictFiles(m, [imageFixture('dog.jpg'), imageFixture('kite.jpg')]);
    expect(out.map((r) => r.image)).toEqual([imageFixture('dog.jpg'), imageFixture('kite.jpg')]);
  });

  it('summarises outputs of a model whose head is raw', async () => {
    const m = await loadModel(modelFixture('tinynet.onnx'), { head: { kind: 'raw' } });
    const [r] = await predictFiles(m, [imageFixture('dog.jpg')]);
    expect(r.top).toBeUndefined();
    expect(r.outputs![0]).toMatchObject({ name: 'logits', dims: [1, 10] });
    expect(r.outputs![0].max).toBeGreaterThan(r.outputs![0].min);
  });

  it('reads a labels file', async () => {
    const dir = tempDir();
    const labels = join(dir, 'labels.txt');
    writeFileSync(labels, Array.from({ length: 10 }, (_, i) => `class ${i}`).join('\n'));
    const { readLabelsFile } = await import('../../../src/engine/models/loaded');
    expect(readLabelsFile(labels)[9]).toBe('class 9');
  });
});
