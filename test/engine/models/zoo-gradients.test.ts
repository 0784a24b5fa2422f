import { describe, expect, it } from 'vitest';
import { buildGradientGraph } from '../../../src/engine/autodiff/gradient-graph';
import type { LossSpec } from '../../../src/engine/autodiff/oracle';
import { decodeImage } from '../../../src/engine/image/image';
import { resizeImage } from '../../../src/engine/image/resize';
import { loadModel } from '../../../src/engine/models/loaded';
import { createSession } from '../../../src/engine/onnx/session';
import { writeModel } from '../../../src/engine/onnx/write';
import type { HostTensor } from '../../../src/engine/tensor/tensor';
import { imageFixture } from '../../helpers/paths';
import { random } from '../../helpers/tfjs-graph';

/**
 * Gradients through converted TF.js models: the autodiff builder's d(loss)/d(pixels) against
 * central finite differences of the same graph's loss along random pixel-space directions.
 */
interface Case {
  model: string;
  image: string;
  loss: LossSpec;
  args?: (dims: number[]) => Record<string, HostTensor>;
}

const CASES: Case[] = [
  { model: 'emotion', image: 'group4.jpg', loss: { kind: 'ce', output: 'Identity' }, args: () => ({ labels: { type: 'int64', dims: [1], data: BigInt64Array.of(3n) } }) },
  { model: 'blazeface', image: 'group1.jpg', loss: { kind: 'sum', output: 'Identity' } },
  { model: 'faceres', image: 'group5.jpg', loss: { kind: 'cosine', output: 'global_pooling/Mean' }, args: () => ({ vectors: unitVector(1024, 3) }) },
  { model: 'centernet', image: 'group2.jpg', loss: { kind: 'max', output: 'tower_0/keypoints', channels: [0, 1], axis: 3 } },
  { model: 'nanodet', image: 'group4.jpg', loss: { kind: 'max', output: 'PartitionedCall/onnx_tf_prefix_Sigmoid_154', channels: [0, 1], axis: 1 } },
];

function unitVector(n: number, seed: number): HostTensor {
  const r = random(seed);
  const v = Float32Array.from({ length: n }, () => r() - 0.5);
  const norm = Math.hypot(...v);
  return { type: 'float32', dims: [1, n], data: v.map((x) => x / norm) };
}

/** A direction made of a few random 8x8 single-channel blocks of +-1, unit norm. */
function randomBlocks(r: () => number, h: number, w: number): Float32Array {
  const d = new Float32Array(3 * h * w);
  const block = 8;
  for (let k = 0; k < 6; k++) {
    const [by, bx, ch, sign] = [Math.floor(r() * (h - block)), Math.floor(r() * (w - block)), Math.floor(r() * 3), r() < 0.5 ? -1 : 1];
    for (let y = by; y < by + block; y++) for (let x = bx; x < bx + block; x++) d[ch * h * w + y * w + x] += sign;
  }
  const n = Math.sqrt(d.reduce((acc, v) => acc + v * v, 0));
  return d.map((v) => v / n);
}

async function pixels(file: string, width: number, height: number): Promise<Float32Array> {
  const { image } = await resizeImage(await decodeImage(imageFixture(file)), width, height);
  const out = new Float32Array(3 * width * height);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) out[c * width * height + p] = image.data[p * 3 + c] / 255;
  return out;
}

describe.skipIf(!process.env.PATCHLAB_CI)('gradients through converted TF.js models', () => {
  for (const c of CASES) {
    it(`${c.model}: d(${c.loss.kind} loss)/d(pixels) matches finite differences`, async () => {
      const model = await loadModel(c.model);
      const g = await buildGradientGraph(model.ir(), {
        batch: 1,
        loss: c.loss,
        pixels: { encoding: model.encoding, width: model.width, height: model.height },
        probabilities: c.loss.kind === 'ce',
        label: c.model,
      });
      const session = await createSession(writeModel(g.model), { label: `${c.model} gradient` });
      const x = await pixels(c.image, model.width, model.height);
      const dims = [1, 3, model.height, model.width];
      const extra: Record<string, HostTensor> = {};
      const provided = c.args?.(dims) ?? {};
      for (const [role, name] of Object.entries(g.args)) if (typeof name === 'string') extra[name] = provided[role];
      const run = async (data: Float32Array) => session.run({ [g.input]: { type: 'float32', dims, data }, ...extra }, [g.loss, g.grad]);
      const base = await run(x);
      const grad = base[g.grad].data as Float32Array;
      const r = random(11);
      const norm = Math.sqrt(grad.reduce((acc, v) => acc + v * v, 0));
      // Along the gradient (the most informative direction), then two random smooth directions.
      const directions = [grad.map((v) => v / norm), randomBlocks(r, model.height, model.width), randomBlocks(r, model.height, model.width)];
      for (const d of directions) {
        let analytic = 0;
        for (let i = 0; i < d.length; i++) analytic += grad[i] * d[i];
        // float32 forward passes: a step small enough to cross few ReLU kinks, big enough to beat rounding.
        const eps = 5e-4;
        const plus = await run(x.map((v, i) => v + eps * d[i]));
        const minus = await run(x.map((v, i) => v - eps * d[i]));
        const fd = ((plus[g.loss].data as Float32Array)[0] - (minus[g.loss].data as Float32Array)[0]) / (2 * eps);
        expect(Math.abs(fd - analytic)).toBeLessThanOrEqual(0.05 * Math.abs(analytic) + 1e-4 * norm);
      }
      await session.release();
    }, 300_000);
  }
});
