import { describe, expect, it } from 'vitest';
import { decodeNanoDet, expectedBin, gflCandidates, NANODET_STRIDES, type GflLevel } from '../../../../src/engine/models/decoders/nanodet';
import type { DecodeContext } from '../../../../src/engine/models/decoders/index';
import type { LoadedModel } from '../../../../src/engine/models/loaded';
import type { HostTensor } from '../../../../src/engine/tensor/tensor';

const BINS = 11;
const SIZE = 64;

/** Logits whose softmax puts all but ~1e-9 of the mass on bin `k` (so the expectation is k). */
function peaked(k: number): number[] {
  return Array.from({ length: BINS }, (_, i) => (i === k ? 30 : 0));
}

/** An empty level of `classes` score maps and 4 x BINS distance maps at `stride` over a SIZE x SIZE input. */
function level(stride: number, classes: number): GflLevel {
  const side = SIZE / stride;
  return { scores: new Float32Array(classes * side * side), distances: new Float32Array(4 * BINS * side * side), height: side, width: side, stride };
}

/** Writes a detection at cell (x, y): class score and the four sides' distributions (in cells). */
function place(l: GflLevel, x: number, y: number, cls: number, score: number, sides: [number, number, number, number]): void {
  const plane = l.width * l.height;
  const p = y * l.width + x;
  l.scores[cls * plane + p] = score;
  sides.forEach((k, s) => peaked(k).forEach((v, b) => (l.distances[(s * BINS + b) * plane + p] = v)));
}

describe('nanodet (GFL) decoding', () => {
  it('a side distance is the softmax expectation of the bin index', () => {
    const logits = Float32Array.from([0, Math.log(3), 0, 0]);
    // softmax = [1, 3, 1, 1] / 6: expectation (0 + 3 + 2 + 3) / 6.
    expect(expectedBin(logits, 0, 1, 4)).toBeCloseTo(8 / 6, 6);
    // Strided reads (one bin per plane), as the [4 * bins, H, W] layout stores them.
    const strided = Float32Array.from([5, 9, 0, 9, 0, 9]);
    expect(expectedBin(strided, 0, 2, 3)).toBeCloseTo((0 * Math.exp(5) + 1 + 2) / (Math.exp(5) + 2), 6);
  });

  it('boxes are the cell centre minus / plus the expected distances times the stride, clipped to the input', () => {
    const a = level(8, 2);
    place(a, 3, 2, 1, 0.9, [2, 1, 3, 4]);
    const b = level(16, 2);
    place(b, 0, 3, 0, 0.6, [5, 0, 1, 2]);
    const got = gflCandidates([a, b], 2, SIZE, SIZE, 0.5);
    expect(got).toHaveLength(2);
    // Cell (3, 2) at stride 8: centre (28, 20).
    expect(got[0].classIndex).toBe(1);
    got[0].box.forEach((v, i) => expect(v).toBeCloseTo([28 - 16, 20 - 8, 28 + 24, 20 + 32][i], 4));
    // Cell (0, 3) at stride 16: centre (8, 56); the left side and the bottom run off the input.
    got[1].box.forEach((v, i) => expect(v).toBeCloseTo([0, 56, 8 + 16, SIZE][i], 4));
    expect(gflCandidates([a, b], 2, SIZE, SIZE, 0.7)).toHaveLength(1);
  });

  it('decodes the head outputs by role (scores8, distances8, ...) with class-wise NMS, best first', () => {
    const classes = 2;
    const levels = NANODET_STRIDES.map((s) => level(s, classes));
    place(levels[0], 4, 4, 0, 0.8, [2, 2, 2, 2]); // person at (36, 36), 32 x 32
    place(levels[1], 2, 2, 0, 0.7, [1, 1, 1, 1]); // the same person on the next level (IoU 0.62): suppressed
    place(levels[0], 5, 5, 1, 0.75, [2, 2, 2, 2]); // another class at the same place: kept
    place(levels[1], 1, 1, 0, 0.1, [1, 1, 1, 1]); // under the display score
    const outputs: Record<string, HostTensor> = {};
    const roles: Record<string, string> = {};
    levels.forEach((l, i) => {
      const s = NANODET_STRIDES[i];
      outputs[`s${s}`] = { type: 'float32', dims: [1, classes, l.height, l.width], data: l.scores };
      outputs[`d${s}`] = { type: 'float32', dims: [1, 4 * BINS, l.height, l.width], data: l.distances };
      roles[`scores${s}`] = `s${s}`;
      roles[`distances${s}`] = `d${s}`;
    });
    const model = { label: 'toy', width: SIZE, height: SIZE, head: { kind: 'detector', decoder: 'nanodet', outputs: roles, options: {} }, labelOf: (k: number) => ['person', 'cat'][k] } as unknown as LoadedModel;
    // The original image is twice the input: boxes come back scaled.
    const ctx: DecodeContext = { model, index: 0, transform: { scaleX: 0.5, scaleY: 0.5, offsetX: 0, offsetY: 0 }, width: 128, height: 128, options: { minScore: 0.2, iouThreshold: 0.6 } };
    const got = decodeNanoDet(outputs, ctx).detections ?? [];
    expect(got.map((d) => [d.label, d.score])).toEqual([
      ['person', expect.closeTo(0.8, 6)],
      ['cat', expect.closeTo(0.75, 6)],
    ]);
    got[0].box.forEach((v, i) => expect(v).toBeCloseTo([40, 40, 104, 104][i], 3));
    expect(decodeNanoDet(outputs, { ...ctx, options: { minScore: 0.05 } }).detections).toHaveLength(3);
  });
});
