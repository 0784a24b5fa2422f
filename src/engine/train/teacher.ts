import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../errors';
import { readModelFile } from '../onnx/read';
import { createSession } from '../onnx/session';
import { floatTensor, type FloatTensor } from '../tensor/tensor';
import { makeBatch, type Dataset } from './data';

export interface SoftTargets {
  /** softmax(teacher logits / T) for the images `idx`, [B, classes]. */
  targets(idx: ArrayLike<number>): FloatTensor;
}

/**
 * A teacher's soft labels at temperature T for every image (defensive distillation, Papernot et
 * al. 2016): the teacher runs once over the data; its logits are kept, the softmax taken per batch.
 */
export async function teacherTargets(file: string, data: Dataset, temperature: number, threads: number): Promise<SoftTargets> {
  if (!existsSync(file)) throw new UserError(`${file}: no such teacher model`);
  const model = readModelFile(file);
  const input = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name))!;
  const channels = input.shape?.[1];
  if (channels !== 1 && channels !== 3) throw new UserError(`${file}: teacher input '${input.name}' must be [N, 1 or 3, ${data.size}, ${data.size}]`);
  const session = await createSession(readModelBytes(file), { threads, label: file });
  const output = model.graph.outputs[0].name;
  const all = new Float32Array(data.count * data.labelNames.length);
  const classes = data.labelNames.length;
  const step = 1000;
  try {
    for (let start = 0; start < data.count; start += step) {
      const idx = Uint32Array.from({ length: Math.min(step, data.count - start) }, (_, i) => start + i);
      const grey = makeBatch(data, idx, 'none');
      const feed = channels === 1 ? grey : replicate(grey);
      const out = (await session.run({ [input.name]: feed }, [output]))[output].data as Float32Array;
      if (out.length !== idx.length * classes) throw new UserError(`${file}: teacher gives ${out.length / idx.length} scores per image; the data has ${classes} classes`);
      all.set(out, start * classes);
    }
  } finally {
    await session.release();
  }
  return {
    targets(idx) {
      const t = new Float32Array(idx.length * classes);
      for (let b = 0; b < idx.length; b++) {
        const o = idx[b] * classes;
        let max = -Infinity;
        for (let j = 0; j < classes; j++) max = Math.max(max, all[o + j] / temperature);
        let sum = 0;
        for (let j = 0; j < classes; j++) sum += t[b * classes + j] = Math.exp(all[o + j] / temperature - max);
        for (let j = 0; j < classes; j++) t[b * classes + j] /= sum;
      }
      return floatTensor([idx.length, classes], t);
    },
  };
}

/** A grey batch as RGB with equal channels. */
export function replicate(grey: FloatTensor): FloatTensor {
  const [n, , h, w] = grey.dims;
  const out = new Float32Array(n * 3 * h * w);
  for (let b = 0; b < n; b++) for (let c = 0; c < 3; c++) out.set(grey.data.subarray(b * h * w, (b + 1) * h * w), (b * 3 + c) * h * w);
  return floatTensor([n, 3, h, w], out);
}

function readModelBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(file));
}
