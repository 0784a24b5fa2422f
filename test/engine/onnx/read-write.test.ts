import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readModel, readModelFile } from '../../../src/engine/onnx/read';
import { createSession } from '../../../src/engine/onnx/session';
import { tensorArray } from '../../../src/engine/onnx/tensor-data';
import { writeModel } from '../../../src/engine/onnx/write';
import { readNpy } from '../../../src/engine/tensor/npy';
import type { FloatTensor } from '../../../src/engine/tensor/tensor';
import { modelFixture } from '../../helpers/paths';
import { maxAbs, maxAbsDiff } from '../../helpers/tensors';

const input = readNpy(modelFixture('input224.npy')) as FloatTensor;

describe('ONNX read/write round trip', () => {
  for (const name of ['tinynet', 'mobilenet_v2_w025']) {
    it(`${name}: read -> write -> read keeps graph, weights and ORT outputs`, async () => {
      const original = readModelFile(modelFixture(`${name}.onnx`));
      const again = readModel(writeModel(original));

      expect(again.irVersion).toBe(original.irVersion);
      expect(again.opsetImports).toEqual(original.opsetImports);
      expect(again.graph.nodes).toEqual(original.graph.nodes);
      expect(again.graph.inputs).toEqual(original.graph.inputs);
      expect(again.graph.outputs).toEqual(original.graph.outputs);
      expect([...again.graph.initializers.keys()]).toEqual([...original.graph.initializers.keys()]);
      for (const [key, t] of original.graph.initializers) {
        const u = again.graph.initializers.get(key)!;
        expect(u.dims).toEqual(t.dims);
        expect(Buffer.from(u.raw).equals(Buffer.from(t.raw))).toBe(true);
      }

      const fromFile = await createSession(readFileSync(modelFixture(`${name}.onnx`)));
      const rewritten = await createSession(writeModel(again));
      const a = await fromFile.run({ input });
      const b = await rewritten.run({ input });
      expect(Array.from(b.logits.data as Float32Array)).toEqual(Array.from(a.logits.data as Float32Array));

      // And both agree with PyTorch, which exported the model.
      const reference = readNpy(modelFixture(`${name}.logits.npy`)).data as Float32Array;
      const ours = a.logits.data as Float32Array;
      expect(maxAbsDiff(ours, reference)).toBeLessThan(1e-4 * Math.max(1, maxAbs(reference)));
    });
  }

  it('decodes initializers into typed arrays of the declared shape', () => {
    const model = readModelFile(modelFixture('tinynet.onnx'));
    const conv = model.graph.nodes.find((n) => n.opType === 'Conv')!;
    const weight = model.graph.initializers.get(conv.inputs[1])!;
    expect(weight.dims).toEqual([8, 3, 3, 3]);
    const values = tensorArray(weight) as Float32Array;
    expect(values).toBeInstanceOf(Float32Array);
    expect(values.length).toBe(8 * 27);
    expect(values.some((v) => v !== 0)).toBe(true);
  });

  it('rejects bytes that are not ONNX and files cut short, naming the file', () => {
    expect(() => readModel(new TextEncoder().encode('hello, I am a text file\n'), { label: 'notes.onnx' })).toThrow(/notes\.onnx: not an ONNX model/);
    const bytes = readFileSync(modelFixture('mobilenet_v2_w025.onnx'));
    expect(() => readModel(bytes.subarray(0, Math.floor(bytes.length / 2)), { label: 'half.onnx' })).toThrow(/half\.onnx: truncated or corrupt/);
  });
});
