import { describe, expect, it } from 'vitest';
import { blazefaceAnchors } from '../../../../src/engine/models/decoders/blazeface';
import { centernetCandidates } from '../../../../src/engine/models/decoders/centernet';
import { nonMaxSuppression, type Box } from '../../../../src/engine/models/decoders/nms';
import { tfjs } from '../../../../src/engine/tfjs/runtime';
import { random } from '../../../helpers/tfjs-graph';

describe('non-max suppression', () => {
  it('keeps the same boxes, in the same order, as TF.js image.nonMaxSuppression', async () => {
    const tf = await tfjs();
    const r = random(4);
    for (let trial = 0; trial < 5; trial++) {
      const boxes: Box[] = Array.from({ length: 60 }, () => {
        const [x, y, w, h] = [r() * 100, r() * 100, 5 + r() * 30, 5 + r() * 30];
        return [x, y, x + w, y + h];
      });
      const scores = Float32Array.from(boxes, () => Math.round(r() * 20) / 20);
      for (const [iou, minScore] of [[0.4, 0.2], [0.1, 0.5], [0.7, 0]]) {
        const yx = tf.tensor2d(boxes.map((b) => [b[1], b[0], b[3], b[2]]));
        const s = tf.tensor1d(scores);
        const want = Array.from(await tf.image.nonMaxSuppressionAsync(yx, s, 15, iou, minScore).then((t) => t.data()));
        expect(nonMaxSuppression(boxes, scores, 15, iou, minScore)).toEqual(want);
        tf.dispose([yx, s]);
      }
    }
  });
});

describe('centernet peak decoding', () => {
  it('finds 3x3 local maxima per class (plateaus included) and builds boxes from the size head at the heatmap stride', () => {
    const [h, w, c] = [6, 8, 3];
    const heat = new Float32Array(h * w * c);
    const set = (y: number, x: number, k: number, v: number) => (heat[(y * w + x) * c + k] = v);
    set(1, 2, 0, 0.9);
    set(1, 3, 0, 0.5); // a neighbour of a higher value: not a peak
    set(4, 6, 2, 0.7);
    set(4, 7, 2, 0.7); // a tie with its neighbour: both are peaks, the lower index first
    set(0, 0, 1, 0.3);
    const sizes = new Float32Array(h * w * 4);
    sizes.set([1, 2, 3, 4], (1 * w + 2) * 4);
    const got = centernetCandidates(heat, sizes, [1, h, w, c], 4, 10);
    expect(got.map((g) => [g.classIndex, g.score])).toEqual([
      [0, expect.closeTo(0.9, 6)],
      [2, expect.closeTo(0.7, 6)],
      [2, expect.closeTo(0.7, 6)],
      [1, expect.closeTo(0.3, 6)],
    ]);
    expect(got[0].box).toEqual([2 * 4 - 1, 1 * 4 - 2, 2 * 4 + 3, 1 * 4 + 4]);
    expect(got[1].box[0]).toBe(6 * 4);
    expect(got[2].box[0]).toBe(7 * 4);
    expect(centernetCandidates(heat, sizes, [1, h, w, c], 4, 2)).toHaveLength(2);
  });
});

describe('blazeface anchors', () => {
  it('has the 896 anchors of the 256 px model: 2 per 16 px cell, then 6 per 32 px cell', () => {
    const anchors = blazefaceAnchors(256);
    expect(anchors).toHaveLength(896);
    expect(anchors[0]).toEqual([8, 8]);
    expect(anchors[1]).toEqual([8, 8]);
    expect(anchors[511]).toEqual([248, 248]);
    expect(anchors[512]).toEqual([16, 16]);
    expect(anchors[895]).toEqual([240, 240]);
  });
});
