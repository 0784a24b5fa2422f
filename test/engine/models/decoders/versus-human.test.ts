import { describe, expect, it } from 'vitest';
import type * as TfCore from '@tensorflow/tfjs-core';
import { decodeImage, type RasterImage } from '../../../../src/engine/image/image';
import { blazefaceAnchors } from '../../../../src/engine/models/decoders/blazeface';
import { centernetCandidates } from '../../../../src/engine/models/decoders/centernet';
import { iou, type Box } from '../../../../src/engine/models/decoders/nms';
import { loadModel } from '../../../../src/engine/models/loaded';
import { predictImages } from '../../../../src/engine/models/predict';
import { tfjsSourcePath } from '../../../../src/engine/models/tfjs-source';
import { readTfjsModel, tfjsGraphModel } from '../../../../src/engine/tfjs/artifacts';
import { tfjs } from '../../../../src/engine/tfjs/runtime';
import { imageFixture } from '../../../helpers/paths';

/**
 * Our decoders against the human library's own pipeline, re-enacted with TF.js exactly as its
 * source does it (src/object/centernet.ts, src/face/blazeface.ts): same resize, same model
 * (run by TF.js), same post-processing. Slow on the TF.js CPU backend: CI only.
 */
async function humanModel(name: string) {
  const path = tfjsSourcePath({ manifest: { name, source: { kind: 'tfjs', package: '@vladmandic/human', file: `models/${name}.json` } }, origin: 'builtin', dir: '' } as never);
  return tfjsGraphModel(readTfjsModel(path));
}

function imageTensor(tf: typeof TfCore, image: RasterImage): TfCore.Tensor4D {
  return tf.tensor4d(Float32Array.from(image.data), [1, image.height, image.width, 3]);
}

/** Matches each of `ours` to the `theirs` box it overlaps most; returns the worst IoU. */
function worstMatch(ours: Box[], theirs: Box[]): number {
  return Math.min(...ours.map((o) => Math.max(...theirs.map((t) => iou(o, t)))));
}

describe.skipIf(!process.env.PATCHLAB_CI)('decoders versus the human library', () => {
  it('centernet: the JS decoder reproduces the graph\'s own top-100 detections, and predict reports what human reports', async () => {
    const tf = await tfjs();
    const image = await decodeImage(imageFixture('group2.jpg'));
    const model = await humanModel('centernet');
    const input = tf.image.resizeBilinear(imageTensor(tf, image), [512, 512]);
    const [wh, keypoints, detections] = model.execute(input, ['tower_0/wh', 'tower_0/keypoints', 'tower_0/detections']) as TfCore.Tensor[];
    const rows = (await detections.array()) as number[][][];
    const candidates = centernetCandidates(keypoints.dataSync() as Float32Array, wh.dataSync() as Float32Array, keypoints.shape, 4, 100);
    const strong = rows[0].filter((r) => r[4] > 0.05);
    expect(strong.length).toBeGreaterThan(3);
    strong.forEach((r, i) => {
      expect(candidates[i].classIndex).toBe(r[5]);
      expect(candidates[i].score).toBeCloseTo(r[4], 5);
      candidates[i].box.forEach((v, k) => expect(v).toBeCloseTo(r[k], 3));
    });

    // human's process(): NMS over x1,y1,x2,y2 boxes, then boxes scaled to the image.
    const boxes = tf.tensor2d(rows[0].map((r) => [r[1], r[0], r[3], r[2]]));
    const scores = tf.tensor1d(rows[0].map((r) => r[4]));
    const kept = Array.from(await (await tf.image.nonMaxSuppressionAsync(boxes, scores, 10, 0.4, 0.2)).data());
    const centernet = await loadModel('centernet');
    const theirs = kept.map((id) => ({ label: centernet.labelOf(rows[0][id][5]), score: rows[0][id][4], box: [0, 1, 2, 3].map((k) => (rows[0][id][k] / 512) * (k % 2 === 0 ? image.width : image.height)) as Box }));
    const [ours] = await predictImages(centernet, [{ name: 'group2', image }]);
    const detected = ours.detections ?? [];
    expect(detected.map((d) => d.label).sort()).toEqual(theirs.map((t) => t.label).sort());
    expect(worstMatch(detected.map((d) => d.box), theirs.map((t) => t.box))).toBeGreaterThan(0.85);
    for (const d of detected) expect(Math.min(...theirs.filter((t) => t.label === d.label).map((t) => Math.abs(t.score - d.score)))).toBeLessThan(0.05);
    tf.dispose([input, wh, keypoints, detections, boxes, scores]);
  }, 600_000);

  it('blazeface: faces and keypoints match human\'s getBoxes on a group photo', async () => {
    const tf = await tfjs();
    const image = await decodeImage(imageFixture('group6.jpg'));
    const model = await humanModel('blazeface');
    const resized = tf.image.resizeBilinear(imageTensor(tf, image), [256, 256]);
    const normalized = tf.sub(tf.div(resized, 127.5), 1);
    const outputs = (model.execute(normalized) as TfCore.Tensor[]).sort((a, b) => a.size - b.size);
    const batch = tf.squeeze(tf.concat([tf.concat([outputs[1], outputs[3]], 2), tf.concat([outputs[0], outputs[2]], 2)], 1)) as TfCore.Tensor2D;
    const raw = (await batch.array()) as number[][];
    const anchors = blazefaceAnchors(256);
    const boxes = raw.map((r, i) => [r[1] + anchors[i][0] - r[3] / 2, r[2] + anchors[i][1] - r[4] / 2, r[1] + anchors[i][0] + r[3] / 2, r[2] + anchors[i][1] + r[4] / 2]);
    const scores = raw.map((r) => 1 / (1 + Math.exp(-r[0])));
    const nms = Array.from(await (await tf.image.nonMaxSuppressionAsync(tf.tensor2d(boxes), tf.tensor1d(scores), 20, 0.1, 0.5)).data());
    const [sx, sy] = [image.width / 256, image.height / 256];
    const theirs = nms.map((i) => ({ box: [boxes[i][0] * sx, boxes[i][1] * sy, boxes[i][2] * sx, boxes[i][3] * sy] as Box, eye: [(raw[i][5] + anchors[i][0]) * sx, (raw[i][6] + anchors[i][1]) * sy] }));

    // The human library stretches the image to 256x256; the manifest letterboxes, so compare stretched.
    const base = await loadModel('blazeface');
    const stretched = await loadModel('blazeface', { resize: 'stretch' });
    const [ours] = await predictImages(stretched, [{ name: 'group6', image }]);
    const faces = ours.faces ?? [];
    expect(faces).toHaveLength(theirs.length);
    expect(worstMatch(faces.map((f) => f.box), theirs.map((t) => t.box))).toBeGreaterThan(0.85);
    for (const f of faces) {
      const twin = theirs.reduce((a, b) => (iou(f.box, b.box) > iou(f.box, a.box) ? b : a));
      const eye = f.keypoints[0];
      expect(Math.hypot(eye.x - twin.eye[0], eye.y - twin.eye[1])).toBeLessThan(0.08 * (f.box[2] - f.box[0]));
    }
    // Letterboxing (our default) finds the same people.
    const [letterboxed] = await predictImages(base, [{ name: 'group6', image }]);
    expect(worstMatch((letterboxed.faces ?? []).map((f) => f.box), theirs.map((t) => t.box))).toBeGreaterThan(0.5);
    tf.dispose([resized, normalized, batch, ...outputs]);
  }, 600_000);
});
