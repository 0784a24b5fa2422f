import { describe, expect, it } from 'vitest';
import { readTfjsModel, tfjsGraphModel } from '../../../src/engine/tfjs/artifacts';
import { convertTfjs, type ConvertOptions } from '../../../src/engine/tfjs/convert';
import { tfjs } from '../../../src/engine/tfjs/runtime';
import { decodeImage } from '../../../src/engine/image/image';
import { resizeImage } from '../../../src/engine/image/resize';
import { createSession } from '../../../src/engine/onnx/session';
import { writeModel } from '../../../src/engine/onnx/write';
import { tfjsSourcePath } from '../../../src/engine/models/tfjs-source';
import { imageFixture } from '../../helpers/paths';
import { relativeDiff } from '../../helpers/tfjs-graph';

/**
 * Every model shipped in @vladmandic/human/models, converted and run by onnxruntime, against
 * TF.js's own execution (tfjs-converter on the pure-JS CPU backend) on real photos: the max
 * |difference| of each output must stay within 1e-3 of that output's range. TF.js on the CPU
 * backend needs seconds to tens of seconds per image for the larger models; those run in CI
 * (PATCHLAB_CI=1) only.
 */
interface ParitySpec {
  name: string;
  /** Pixel values as the human library feeds them. */
  range: [number, number];
  images: string[];
  /** An integer image input (TF.js int32). */
  int?: boolean;
  slow?: boolean;
  convert?: ConvertOptions;
  /** The graph tensor TF.js computes for an input-side cut, fed to the ONNX graph instead. */
  cutInput?: string;
}

const FACES = ['faces/group1-face.jpg', 'faces/group5-face.jpg'];
const HANDTRACK_CUT = 'StatefulPartitionedCall/map/TensorArrayV2Stack/TensorListStack';
const SPECS: ParitySpec[] = [
  { name: 'antispoof', range: [0, 1], images: FACES },
  { name: 'blazeface', range: [-1, 1], images: ['group1.jpg', 'group4.jpg'] },
  { name: 'emotion', range: [-1, 1], images: FACES },
  { name: 'liveness', range: [0, 1], images: FACES },
  { name: 'iris', range: [0, 1], images: FACES },
  { name: 'facemesh', range: [0, 1], images: FACES },
  { name: 'handlandmark-lite', range: [0, 1], images: ['group2.jpg'] },
  { name: 'faceres', range: [0, 255], images: [FACES[0]], slow: true },
  { name: 'movenet-lightning', range: [0, 255], int: true, images: ['person.jpg'], slow: true },
  { name: 'centernet', range: [0, 255], images: ['group2.jpg'], slow: true },
  {
    name: 'handtrack',
    range: [0, 255],
    int: true,
    images: ['group4.jpg'],
    slow: true,
    // The graph resizes its input in a while loop and ends in non-max suppression: convert the
    // network between them (the loop's output in, the raw box and class heads out).
    convert: {
      inputs: [{ name: HANDTRACK_CUT, shape: [1, 320, 320, 3] }],
      outputs: ['StatefulPartitionedCall/Postprocessor/Slice', 'StatefulPartitionedCall/Postprocessor/ExpandDims_1'],
    },
    cutInput: HANDTRACK_CUT,
  },
];

const fast = SPECS.filter((s) => !s.slow);
const slow = SPECS.filter((s) => s.slow);

/** NHWC pixels of `file` resized to h x w, scaled to `range` (grey when c = 1, as human does). */
async function nhwc(file: string, h: number, w: number, c: number, range: [number, number]): Promise<Float32Array> {
  const { image } = await resizeImage(await decodeImage(imageFixture(file)), w, h);
  const out = new Float32Array(h * w * c);
  const scale = (v: number) => range[0] + (v / 255) * (range[1] - range[0]);
  for (let p = 0; p < h * w; p++) {
    if (c === 1) out[p] = scale(0.2989 * image.data[p * 3] + 0.587 * image.data[p * 3 + 1] + 0.114 * image.data[p * 3 + 2]);
    else for (let k = 0; k < 3; k++) out[p * 3 + k] = scale(image.data[p * 3 + k]);
  }
  return out;
}

function toNchw(data: Float32Array, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[k * h * w + p] = data[p * c + k];
  return out;
}

async function checkParity(spec: ParitySpec): Promise<void> {
  const tf = await tfjs();
  const artifacts = readTfjsModel(tfjsSourcePath({ manifest: { name: spec.name, source: { kind: 'tfjs', package: '@vladmandic/human', file: `models/${spec.name}.json` } }, origin: 'builtin', dir: '' } as never));
  const { model } = await convertTfjs(artifacts, spec.convert);
  const session = await createSession(writeModel(model), { label: spec.name });
  const reference = await tfjsGraphModel(artifacts);
  const shape = spec.convert?.inputs?.[0].shape ?? reference.inputs[0].shape ?? [];
  const [h, w, c] = [shape[1], shape[2], shape[3]];
  const outputs = model.graph.outputs.map((o) => o.name);
  // The default suite checks one image per model; CI checks them all.
  for (const file of process.env.PATCHLAB_CI ? spec.images : spec.images.slice(0, 1)) {
    const pixels = await nhwc(file, h, w, c, spec.range);
    const input = spec.int ? tf.tensor(Int32Array.from(pixels, Math.round), [1, h, w, c], 'int32') : tf.tensor(pixels, [1, h, w, c]);
    const fetch = spec.cutInput ? [...outputs, spec.cutInput] : outputs;
    const result = spec.cutInput ? await reference.executeAsync(input, fetch) : reference.execute(input, fetch);
    const expected = Array.isArray(result) ? result : [result];
    const fed = spec.cutInput ? (expected[expected.length - 1].dataSync() as Float32Array) : spec.int ? Float32Array.from(pixels, Math.round) : pixels;
    const nchw = toNchw(fed, h, w, c);
    const onnxInput = model.graph.inputs[0];
    const actual = await session.run({
      [onnxInput.name]: onnxInput.type === 'int32' ? { type: 'int32', dims: [1, c, h, w], data: Int32Array.from(nchw) } : { type: 'float32', dims: [1, c, h, w], data: nchw },
    });
    outputs.forEach((name, i) => {
      expect([...actual[name].dims], `${spec.name} ${name} shape`).toEqual(expected[i].shape);
      const rel = relativeDiff(Array.from(expected[i].dataSync() as Float32Array), Array.from(actual[name].data as Float32Array));
      expect(rel, `${spec.name} ${name} on ${file}: max |TF.js - ONNX| / range`).toBeLessThanOrEqual(1e-3);
    });
    tf.dispose([input, ...expected]);
  }
  await session.release();
}

describe('@vladmandic/human models: converted ONNX vs TF.js', () => {
  for (const spec of fast) it(`${spec.name} matches TF.js on ${spec.images.join(', ')}`, () => checkParity(spec), 120_000);
});

describe.skipIf(!process.env.PATCHLAB_CI)('@vladmandic/human models (slow on the TF.js CPU backend): converted ONNX vs TF.js', () => {
  for (const spec of slow) it(`${spec.name} matches TF.js on ${spec.images.join(', ')}`, () => checkParity(spec), 600_000);
});

it('the parity suite covers every model in @vladmandic/human/models', async () => {
  const { readdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  const dir = dirname(tfjsSourcePath({ manifest: { name: 'x', source: { kind: 'tfjs', package: '@vladmandic/human', file: 'models/blazeface.json' } }, origin: 'builtin', dir: '' } as never));
  const shipped = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'models.json').map((f) => f.replace(/\.json$/, ''));
  expect(SPECS.map((s) => s.name).sort()).toEqual(shipped.sort());
});
