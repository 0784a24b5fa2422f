import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGradientOracle } from '../../../../src/engine/autodiff/gradient-oracle';
import type { LossSpec } from '../../../../src/engine/autodiff/oracle';
import { loadModel } from '../../../../src/engine/models/loaded';
import { readNpy } from '../../../../src/engine/tensor/npy';
import type { FloatTensor } from '../../../../src/engine/tensor/tensor';
import { ROOT } from '../../../helpers/paths';

const DIR = join(ROOT, 'test/fixtures/detectors');

/** Each fixture family's detection losses: the variants its head supports. */
const CASES: { model: string; output: string; losses: Omit<Extract<LossSpec, { kind: 'detection' }>, 'kind' | 'output'>[] }[] = [
  { model: 'yolov5', output: 'output0', losses: [{ axis: 2, channel: 6, objectness: 4 }, { axis: 2, channel: 4 }, { axis: 2, channel: 6 }, { axis: 2, channel: 6, objectness: 4, floor: 0.12 }] },
  { model: 'yolov8', output: 'output0', losses: [{ axis: 1, channel: 6 }, { axis: 1, channel: 4, floor: 0.1 }] },
  { model: 'ssd', output: 'scores', losses: [{ axis: 2, channel: 3 }] },
  { model: 'detr', output: 'pred_logits', losses: [{ axis: 2, channel: 0, activation: 'softmax' }, { axis: 2, channel: 1, activation: 'softmax', floor: 0.2 }] },
];

function scoreOf(out: FloatTensor, loss: Extract<LossSpec, { kind: 'detection' }>): number {
  const [, a, b] = out.dims;
  const softmax = (n: number, c: number): number => {
    if (loss.activation !== 'softmax') return out.data[loss.axis === 2 ? n * b + c : c * b + n];
    let sum = 0;
    for (let k = 0; k < b; k++) sum += Math.exp(out.data[n * b + k]);
    return Math.exp(out.data[n * b + c]) / sum;
  };
  const anchors = loss.axis === 2 ? a : b;
  let best = -Infinity;
  let hinge = 0;
  for (let n = 0; n < anchors; n++) {
    const s = softmax(n, loss.channel) * (loss.objectness === undefined ? 1 : softmax(n, loss.objectness));
    best = Math.max(best, s);
    hinge += Math.max(0, s - (loss.floor ?? 0));
  }
  return loss.floor === undefined ? best : hinge;
}

describe('detection losses on raw heads', () => {
  const input = readNpy(join(DIR, 'input.npy')) as FloatTensor;
  for (const c of CASES) {
    it(`${c.model}: the in-graph loss equals the score read from the outputs, and its gradient passes finite differences`, async () => {
      const model = await loadModel(join(DIR, `${c.model}.onnx`));
      for (const l of c.losses) {
        const loss = { kind: 'detection', output: c.output, ...l } as Extract<LossSpec, { kind: 'detection' }>;
        const oracle = createGradientOracle(model, loss, { outputs: [c.output] });
        const at = await oracle.gradient(input);
        expect(at.loss[0]).toBeCloseTo(scoreOf(at.outputs[c.output], loss), 5);
        // Central differences along a fixed random direction (pixels stay well inside [0, 1]).
        let seed = 7;
        const dir = input.data.map(() => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);
        const h = 2e-3;
        const shifted = async (sign: number) => (await oracle.gradient({ ...input, data: input.data.map((v, i) => v + sign * h * dir[i]) })).loss[0];
        const fd = ((await shifted(1)) - (await shifted(-1))) / (2 * h);
        const analytic = at.grad.data.reduce((s, g, i) => s + g * dir[i], 0);
        expect(Math.abs(analytic)).toBeGreaterThan(1e-4);
        expect(Math.abs(fd - analytic)).toBeLessThan(2e-3 + 0.03 * Math.abs(analytic));
        await oracle.dispose();
      }
    }, 60_000);
  }
});
