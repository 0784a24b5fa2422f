import { describe, expect, it } from 'vitest';
import { AREA_RANGES, averagePrecision, cocoAp, cocoIou, IOU_THRESHOLDS, type ApImage } from '../../../src/engine/evaluate/ap';

// Equal to 12 decimals: COCO divides by tp + fp + eps, so a perfect score is 1 - 2e-16 there too.
describe('COCO average precision, worked by hand', () => {
  it('one image: TP, FP, TP over two objects gives (51 x 1 + 50 x 2/3) / 101', () => {
    const image: ApImage = {
      truth: [{ box: [0, 0, 10, 10] }, { box: [20, 20, 30, 30] }],
      detections: [
        { box: [0, 0, 10, 10], score: 0.9 },
        { box: [50, 50, 60, 60], score: 0.8 },
        { box: [20, 20, 30, 30], score: 0.7 },
      ],
    };
    // Recall 0.5, 0.5, 1 at precision 1, 1/2, 2/3; the envelope makes it 1, 2/3, 2/3.
    expect(averagePrecision([image], 0.5).ap).toBeCloseTo((51 + (50 * 2) / 3) / 101, 12);
  });

  it('counts detections across images in score order, and a missed object caps recall', () => {
    const images: ApImage[] = [
      { truth: [{ box: [0, 0, 10, 10] }], detections: [{ box: [0, 0, 10, 10], score: 0.6 }] },
      { truth: [{ box: [0, 0, 10, 10] }, { box: [40, 40, 50, 50] }], detections: [{ box: [100, 100, 110, 110], score: 0.9 }] },
    ];
    // Order: FP (0.9) then TP (0.6): recall 0, 1/3; precision 0, 1/2 -> envelope 1/2 up to recall 1/3 (34 thresholds).
    const r = averagePrecision(images, 0.5);
    expect(r.ap).toBeCloseTo((34 * 0.5) / 101, 12);
    expect(r.recall).toBeCloseTo(1 / 3, 12);
  });

  it('a detection on a crowd region is neither a hit nor a false positive; crowds are not objects', () => {
    const image: ApImage = {
      truth: [{ box: [0, 0, 10, 10] }, { box: [100, 0, 200, 100], crowd: true }],
      detections: [
        { box: [120, 10, 140, 30], score: 0.95 },
        { box: [150, 10, 170, 30], score: 0.9 },
        { box: [0, 0, 10, 10], score: 0.5 },
      ],
    };
    expect(cocoIou([120, 10, 140, 30], [100, 0, 200, 100], true)).toBeCloseTo(1, 12);
    expect(averagePrecision([image], 0.5).ap).toBeCloseTo(1, 12);
  });

  it('AP@[.5:.95] averages the ten thresholds: a box at IoU 0.62 counts at 0.5, 0.55 and 0.6 only', () => {
    // Truth 10x10, detection 10x6.2 inside it: IoU 0.62.
    const image: ApImage = { truth: [{ box: [0, 0, 10, 10] }], detections: [{ box: [0, 0, 10, 6.2], score: 0.8 }] };
    expect(cocoIou(image.detections[0].box, image.truth[0].box)).toBeCloseTo(0.62, 12);
    expect(IOU_THRESHOLDS.map((t) => Number(t.toFixed(2)))).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
    const r = cocoAp([image]);
    expect(r.ap50).toBeCloseTo(1, 12);
    expect(r.ap).toBeCloseTo(0.3, 12);
    expect(r.curve).toHaveLength(101);
  });

  it('each object is matched once: a duplicate is a false positive; no ground truth gives no AP', () => {
    const image: ApImage = { truth: [{ box: [0, 0, 10, 10] }], detections: [{ box: [0, 0, 10, 10], score: 0.9 }, { box: [0, 0, 10, 9], score: 0.8 }] };
    expect(averagePrecision([image], 0.5).ap).toBeCloseTo(1, 12);
    const late: ApImage = { truth: [{ box: [0, 0, 10, 10] }], detections: [{ box: [0, 0, 10, 9], score: 0.9 }, { box: [0, 0, 10, 10], score: 0.8 }] };
    // At IoU 0.95 the first (IoU 0.9) misses and the second matches: FP then TP, precision 1/2 at every recall threshold.
    expect(averagePrecision([late], IOU_THRESHOLDS[9]).ap).toBeCloseTo(0.5, 12);
    expect(averagePrecision([{ truth: [], detections: [{ box: [0, 0, 1, 1], score: 1 }] }], 0.5).ap).toBeUndefined();
  });

  it('an area range, when asked, ignores objects and unmatched detections outside it', () => {
    // A small object found, a large object missed, a small false positive.
    const image: ApImage = {
      truth: [{ box: [0, 0, 10, 10] }, { box: [100, 100, 300, 300] }],
      detections: [{ box: [0, 0, 10, 10], score: 0.9 }, { box: [50, 50, 60, 60], score: 0.8 }],
    };
    expect(averagePrecision([image], 0.5).ap).toBeCloseTo((51 * 1) / 101, 12);
    // Small only: the large object is ignored; the small FP still counts -> TP, FP: precision 1 at recall 1.
    expect(averagePrecision([image], 0.5, 100, AREA_RANGES.small).ap).toBeCloseTo(1, 12);
    // Large only: the small object and both small detections are ignored; the large object is missed.
    expect(averagePrecision([image], 0.5, 100, AREA_RANGES.large).ap).toBeCloseTo(0, 12);
  });
});
