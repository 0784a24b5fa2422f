/**
 * Average precision as the COCO evaluation (pycocotools COCOeval, bbox) computes it: per image
 * the top `maxDets` detections by score are matched greedily, best score first, to the unmatched
 * ground truth of highest IoU at or above the threshold; detections matched to crowd regions
 * (which may match many) are ignored, as are crowd regions in the count of objects; then over
 * all images, precision at the 101 recall thresholds 0, 0.01, ..., 1 from the precision envelope
 * (0 where recall never gets there), averaged. Area ranges apply only when asked (`areaRange`,
 * box areas in pixels², as COCO's small/medium/large): objects outside are ignored, and so are
 * unmatched detections outside.
 */

import { boxArea as area, intersectionArea, iou, type Box } from '../../shared/box';

export type { Box };

export interface ApDetection {
  box: Box;
  score: number;
}

export interface ApTruth {
  box: Box;
  /** COCO iscrowd: a region that may hold many objects; never missed, never a false positive. */
  crowd?: boolean;
}

/** One image's detections and ground truth, both of the class being scored. */
export interface ApImage {
  detections: readonly ApDetection[];
  truth: readonly ApTruth[];
  /** This image's area range in its own pixels (overrides the call's), e.g. COCO's range scaled to a resized view. */
  areaRange?: readonly [number, number];
}

export interface ApResult {
  /** AP at this IoU threshold, or undefined when there is no (non-crowd) ground truth. */
  ap?: number;
  /** Precision (envelope) at each of the 101 recall thresholds. */
  precision: number[];
  recallThresholds: number[];
  /** Highest recall reached. */
  recall: number;
}

export const RECALL_THRESHOLDS = Array.from({ length: 101 }, (_, i) => i / 100);
/** 0.5, 0.55, ..., 0.95 as np.linspace(.5, .95, 10) computes them. */
export const IOU_THRESHOLDS = Array.from({ length: 10 }, (_, i) => 0.5 + (0.45 * i) / 9);

/** IoU as COCO's maskUtils.iou for boxes: for a crowd region the union is the detection's own area. */
export function cocoIou(d: Box, g: Box, crowd = false): number {
  if (!crowd) return iou(d, g);
  const inter = intersectionArea(d, g);
  return inter > 0 ? inter / area(d) : 0;
}

interface Matched {
  score: number;
  matched: boolean;
  ignored: boolean;
}


/** COCO's area ranges in pixels² (objects measured by their box here). */
export const AREA_RANGES = { small: [0, 32 ** 2], medium: [32 ** 2, 96 ** 2], large: [96 ** 2, 1e10] } as const;

function outside(box: Box, range?: readonly [number, number]): boolean {
  return range !== undefined && (area(box) < range[0] || area(box) > range[1]);
}

function matchImage(image: ApImage, threshold: number, maxDets: number, range?: readonly [number, number]): Matched[] {
  // Truth not ignored first, as COCOeval sorts it (ignored = crowd, or outside the area range); detections best first (stable).
  const ignoredTruth = (t: ApTruth) => (t.crowd ?? false) || outside(t.box, range);
  const truth = [...image.truth].sort((a, b) => Number(ignoredTruth(a)) - Number(ignoredTruth(b)));
  const dets = image.detections
    .map((d, i) => ({ d, i }))
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
    .slice(0, maxDets)
    .map((x) => x.d);
  const taken = truth.map(() => false);
  return dets.map((d) => {
    let best = Math.min(threshold, 1 - 1e-10);
    let m = -1;
    for (let g = 0; g < truth.length; g++) {
      const crowd = truth[g].crowd ?? false;
      if (taken[g] && !crowd) continue;
      // Once matched to truth that counts, do not fall back to ignored truth.
      if (m > -1 && !ignoredTruth(truth[m]) && ignoredTruth(truth[g])) break;
      const iou = cocoIou(d.box, truth[g].box, crowd);
      if (iou < best) continue;
      best = iou;
      m = g;
    }
    if (m === -1) return { score: d.score, matched: false, ignored: outside(d.box, range) };
    taken[m] = true;
    return { score: d.score, matched: true, ignored: ignoredTruth(truth[m]) };
  });
}

/** AP of one class at one IoU threshold over a set of images. */
export function averagePrecision(images: readonly ApImage[], threshold: number, maxDets = 100, areaRange?: readonly [number, number]): ApResult {
  const all: Matched[] = [];
  let positives = 0;
  for (const image of images) {
    const range = image.areaRange ?? areaRange;
    all.push(...matchImage(image, threshold, maxDets, range));
    positives += image.truth.filter((t) => !t.crowd && !outside(t.box, range)).length;
  }
  const precisionAt = RECALL_THRESHOLDS.map(() => 0);
  if (positives === 0) return { precision: precisionAt, recallThresholds: RECALL_THRESHOLDS, recall: 0 };
  // Stable sort by score over the images in order (numpy's mergesort).
  const order = all.map((m, i) => ({ m, i })).sort((a, b) => b.m.score - a.m.score || a.i - b.i).map((x) => x.m).filter((m) => !m.ignored);
  const recall: number[] = [];
  const precision: number[] = [];
  let tp = 0;
  let fp = 0;
  for (const m of order) {
    if (m.matched) tp++;
    else fp++;
    recall.push(tp / positives);
    precision.push(tp / (tp + fp + Number.EPSILON));
  }
  for (let i = precision.length - 1; i > 0; i--) if (precision[i] > precision[i - 1]) precision[i - 1] = precision[i];
  RECALL_THRESHOLDS.forEach((r, k) => {
    const i = recall.findIndex((v) => v >= r);
    if (i >= 0) precisionAt[k] = precision[i];
  });
  return { ap: precisionAt.reduce((a, v) => a + v, 0) / precisionAt.length, precision: precisionAt, recallThresholds: RECALL_THRESHOLDS, recall: recall.at(-1) ?? 0 };
}

export interface CocoAp {
  /** AP@0.5 and AP@[.5:.95] (mean over the ten thresholds), undefined without ground truth. */
  ap50?: number;
  ap?: number;
  /** The precision-recall curve at IoU 0.5 (101 points). */
  curve: { recall: number; precision: number }[];
}

export function cocoAp(images: readonly ApImage[], maxDets = 100, areaRange?: readonly [number, number]): CocoAp {
  const results = IOU_THRESHOLDS.map((t) => averagePrecision(images, t, maxDets, areaRange));
  const defined = results.filter((r) => r.ap !== undefined);
  return {
    ...(results[0].ap !== undefined ? { ap50: results[0].ap } : {}),
    ...(defined.length > 0 ? { ap: defined.reduce((a, r) => a + (r.ap ?? 0), 0) / defined.length } : {}),
    curve: results[0].recallThresholds.map((recall, i) => ({ recall, precision: results[0].precision[i] })),
  };
}
