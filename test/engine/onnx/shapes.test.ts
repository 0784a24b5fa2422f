import { describe, expect, it } from 'vitest';
import { readModelFile } from '../../../src/engine/onnx/read';
import { discoverShapes } from '../../../src/engine/onnx/shapes';
import { modelFixture } from '../../helpers/paths';

describe('shape discovery', () => {
  it('reports every intermediate shape for the batch size asked for', async () => {
    const model = readModelFile(modelFixture('tinynet.onnx'));
    const shapes = await discoverShapes(model, { input: [3, 3, 224, 224] });
    const outputOf = (op: string, nth = 0) => model.graph.nodes.filter((n) => n.opType === op)[nth].outputs[0];
    expect(shapes.get(outputOf('Conv', 0))?.dims).toEqual([3, 8, 112, 112]);
    expect(shapes.get(outputOf('MaxPool'))?.dims).toEqual([3, 8, 56, 56]);
    expect(shapes.get(outputOf('Conv', 1))?.dims).toEqual([3, 16, 28, 28]);
    expect(shapes.get(outputOf('GlobalAveragePool'))?.dims).toEqual([3, 16, 1, 1]);
    expect(shapes.get('logits')).toEqual({ type: 'float32', dims: [3, 10] });
  });

  it('limits itself to the values requested and leaves the model untouched', async () => {
    const model = readModelFile(modelFixture('mobilenet_v2_w025.onnx'));
    const outputsBefore = model.graph.outputs.length;
    const relu = model.graph.nodes.find((n) => n.opType === 'Clip')!.outputs[0];
    const shapes = await discoverShapes(model, { input: [1, 3, 224, 224] }, [relu]);
    expect(shapes.get(relu)?.dims).toEqual([1, 8, 112, 112]);
    expect(shapes.has('logits')).toBe(true);
    expect(model.graph.outputs.length).toBe(outputsBefore);
  });
});
