import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cutAt, cutBeforeNms, probeInputShapes } from '../../../src/engine/onnx/cut';
import { readModelFile } from '../../../src/engine/onnx/read';
import { createSession } from '../../../src/engine/onnx/session';
import { writeModel } from '../../../src/engine/onnx/write';
import { readNpy } from '../../../src/engine/tensor/npy';
import { ROOT } from '../../helpers/paths';

const DIR = join(ROOT, 'test/fixtures/detectors');

async function run(bytes: Uint8Array, input: ReturnType<typeof readNpy>) {
  const session = await createSession(bytes, { label: 'cut' });
  try {
    return await session.run({ images: input });
  } finally {
    await session.release();
  }
}

describe('cutting ONNX graphs', () => {
  it('cuts an export with NonMaxSuppression inside at its head output, which then equals the same network exported without NMS', async () => {
    const model = readModelFile(join(DIR, 'yolov8_nms.onnx'));
    const cut = await cutBeforeNms(model, probeInputShapes(model), 'yolov8_nms');
    expect(cut?.message).toMatch(/cut before NonMaxSuppression .*\[1,7,84\] \(yolo-v8 layout/);
    expect(cut?.model.graph.nodes.some((n) => n.opType === 'NonMaxSuppression')).toBe(false);
    const input = readNpy(join(DIR, 'input.npy'));
    const got = Object.values(await run(writeModel(cut!.model), input))[0];
    const want = (await run(writeModel(readModelFile(join(DIR, 'yolov8.onnx'))), input)).output0;
    expect(got.dims).toEqual(want.dims);
    const data = got.data as Float32Array;
    (want.data as Float32Array).forEach((v, i) => expect(data[i]).toBeCloseTo(v, 4));
  });

  it('keeps only what the named tensors need, and finds no NMS where there is none', async () => {
    const model = readModelFile(join(DIR, 'detr.onnx'));
    expect(await cutBeforeNms(model, probeInputShapes(model))).toBeUndefined();
    const cut = await cutAt(model, ['pred_boxes'], 'detr');
    expect(cut.graph.outputs).toEqual([{ name: 'pred_boxes', type: 'float32', shape: ['batch', 10, 4] }]);
    expect(cut.graph.nodes.length).toBeLessThan(model.graph.nodes.length);
    expect([...cut.graph.initializers.keys()].some((k) => k.includes('class_embed'))).toBe(false);
    const input = readNpy(join(DIR, 'input.npy'));
    const [whole, part] = [await run(writeModel(model), input), await run(writeModel(cut), input)];
    expect(Array.from(part.pred_boxes.data as Float32Array)).toEqual(Array.from(whole.pred_boxes.data as Float32Array));
    await expect(cutAt(model, ['nope'], 'detr')).rejects.toThrow("detr: --outputs: no tensor named 'nope' in the graph");
  });
});
