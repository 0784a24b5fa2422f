import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGradientGraph } from '../../../src/engine/autodiff/gradient-graph';
import type { LoweringOptions } from '../../../src/engine/autodiff/lowering/options';
import type { LossSpec } from '../../../src/engine/autodiff/oracle';
import { readModelFile } from '../../../src/engine/onnx/read';
import { createSession } from '../../../src/engine/onnx/session';
import { writeModel } from '../../../src/engine/onnx/write';
import { readNpy } from '../../../src/engine/tensor/npy';
import { int64Tensor, type FloatTensor, type HostTensor } from '../../../src/engine/tensor/tensor';
import { fixture } from '../../helpers/paths';
import { maxAbs, maxAbsDiff } from '../../helpers/tensors';

/**
 * Whole models exported from torchvision blocks (test/fixtures/autodiff/make_autodiff_fixtures.py):
 * our gradient graph, run by onnxruntime, against PyTorch's float64 input gradient.
 */
interface Meta {
  labels: number[];
  models: Record<string, { opset: number; outputs: string[]; loss: 'ce' | 'vjp' }>;
}

const meta = JSON.parse(readFileSync(fixture('autodiff', 'fixtures.json'), 'utf8')) as Meta;
const input = readNpy(fixture('autodiff', 'input64.npy')) as FloatTensor;
const npy = (name: string) => readNpy(fixture('autodiff', `${name}.npy`)) as FloatTensor;

async function ourGradient(name: string, lowering?: Partial<LoweringOptions>): Promise<{ grad: Float32Array; outputs: Record<string, HostTensor> }> {
  const { outputs, loss: kind } = meta.models[name];
  const loss: LossSpec = kind === 'ce' ? { kind: 'ce' } : { kind: 'vjp', outputs };
  const model = readModelFile(fixture('autodiff', `${name}.onnx`));
  const g = await buildGradientGraph(model, { batch: 2, loss, outputs, lowering, label: name });
  const session = await createSession(writeModel(g.model), { threads: 1, label: name });
  const feeds: Record<string, HostTensor> = { [g.input]: input };
  if (g.args.labels) feeds[g.args.labels] = int64Tensor([2], meta.labels);
  for (const [output, arg] of Object.entries(g.args.outputGrads ?? {})) feeds[arg] = npy(`detector.outgrad_${output}`);
  const result = await session.run(feeds);
  await session.release();
  return { grad: result[g.grad].data as Float32Array, outputs: result };
}

describe('whole-model input gradients match PyTorch (max error <= 1e-4 of max |grad|)', () => {
  for (const name of Object.keys(meta.models)) {
    it(`${name} (opset ${meta.models[name].opset})`, async () => {
      const reference = npy(`${name}.grad`).data;
      const { grad, outputs } = await ourGradient(name);
      expect(maxAbs(reference)).toBeGreaterThan(0);
      expect(maxAbsDiff(grad, reference)).toBeLessThanOrEqual(1e-4 * maxAbs(reference));
      if (meta.models[name].loss === 'ce') {
        const logits = npy(`${name}.logits`).data;
        expect(maxAbsDiff(outputs.logits.data as Float32Array, logits)).toBeLessThan(1e-4 * Math.max(1, maxAbs(logits)));
      }
    });
  }

  it('every lowering gives the same gradient (ConvTranspose and comparison masks everywhere, zero insertion, phases)', async () => {
    for (const name of ['mobilenet_v2', 'resnet', 'detector']) {
      const reference = npy(`${name}.grad`).data;
      const lowerings: Partial<LoweringOptions>[] = [
        { stride1: 'convtranspose', strided: 'convtranspose', masks: 'compare' },
        { strided: 'zero-insert', stridedDepthwise: 'zero-insert', stridedMinChannels: 1 },
        { strided: 'phase', stridedDepthwise: 'phase', stridedMinChannels: 1 },
      ];
      for (const lowering of lowerings) {
        const { grad } = await ourGradient(name, lowering);
        expect(maxAbsDiff(grad, reference), `${name} ${JSON.stringify(lowering)}`).toBeLessThanOrEqual(1e-4 * maxAbs(reference));
      }
    }
  });
});
