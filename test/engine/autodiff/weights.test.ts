import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGradientGraph } from '../../../src/engine/autodiff/gradient-graph';
import { readModelFile } from '../../../src/engine/onnx/read';
import { createSession } from '../../../src/engine/onnx/session';
import { tensorArray } from '../../../src/engine/onnx/tensor-data';
import { writeModel } from '../../../src/engine/onnx/write';
import { readNpy } from '../../../src/engine/tensor/npy';
import { int64Tensor, type FloatTensor, type HostTensor } from '../../../src/engine/tensor/tensor';
import { fixture } from '../../helpers/paths';
import { maxAbs, maxAbsDiff } from '../../helpers/tensors';

/**
 * Whole-model weight gradients (test/fixtures/autodiff/make_weight_fixtures.py): our gradient
 * graph with every parameter turned into a graph input, run by onnxruntime, against PyTorch's
 * float64 gradients, at the same tolerance as the input-gradient fixtures.
 */
const meta = JSON.parse(readFileSync(fixture('autodiff', 'weights.json'), 'utf8')) as { labels: number[]; parameters: string[] };
const npy = (name: string) => readNpy(fixture('autodiff', `weights.${name}.npy`)) as FloatTensor;

async function run(selection: Parameters<typeof buildGradientGraph>[1]['weights']) {
  const model = readModelFile(fixture('autodiff', 'weights.onnx'));
  const g = await buildGradientGraph(model, { batch: 2, loss: { kind: 'ce' }, weights: selection, label: 'weights' });
  const session = await createSession(writeModel(g.model), { threads: 1, label: 'weights' });
  const feeds: Record<string, HostTensor> = { [g.input]: npy('input'), [g.args.labels!]: int64Tensor([2], meta.labels) };
  for (const w of g.weights) feeds[w.name] = { type: 'float32', dims: w.dims, data: tensorArray(w.initial) as Float32Array };
  const out = await session.run(feeds);
  await session.release();
  return { g, out };
}

describe('whole-model weight gradients match PyTorch (max error <= 1e-4 of max |grad|)', () => {
  it('every parameter of a Conv/BN/PReLU/ConvTranspose/LayerNorm/Linear network, and the input gradient unchanged', async () => {
    const { g, out } = await run('all');
    expect(g.weights.map((w) => w.name).sort()).toEqual([...meta.parameters].sort());
    for (const name of meta.parameters) {
      const reference = npy(name).data;
      const w = g.weights.find((x) => x.name === name)!;
      const ours = out[w.grad!].data as Float32Array;
      expect(maxAbs(reference), name).toBeGreaterThan(0);
      expect(maxAbsDiff(ours, reference), name).toBeLessThanOrEqual(1e-4 * maxAbs(reference));
    }
    const inputRef = npy('input.grad').data;
    expect(maxAbsDiff(out[g.grad].data as Float32Array, inputRef)).toBeLessThanOrEqual(1e-4 * maxAbs(inputRef));
  });

  it('a prefix selects a subset; the rest stay constants of the graph', async () => {
    const { g, out } = await run({ prefixes: ['fc.'], names: ['conv1.weight'] });
    expect(g.weights.map((w) => w.name).sort()).toEqual(['conv1.weight', 'fc.bias', 'fc.weight']);
    const reference = npy('conv1.weight').data;
    expect(maxAbsDiff(out[g.weights.find((w) => w.name === 'conv1.weight')!.grad!].data as Float32Array, reference)).toBeLessThanOrEqual(1e-4 * maxAbs(reference));
    expect(g.model.graph.initializers.has('conv2.weight')).toBe(true);
  });

  it('names an unknown weight in one line', async () => {
    await expect(run({ names: ['nope.weight'] })).rejects.toThrow("weights: no initializer named 'nope.weight' to train");
  });
});
