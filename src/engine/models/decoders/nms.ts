import { iou } from '../../../shared/box';

/** A box as [x1, y1, x2, y2]. */
export type Box = [number, number, number, number];

export { iou };

/**
 * Greedy non-maximum suppression as TF.js's `image.nonMaxSuppression` does it: candidates
 * scoring above `minScore`, best first (ties to the lower index), dropped when their IoU
 * with an already kept box reaches `iouThreshold`. Class-agnostic, like the human library's
 * use of it. Returns the kept indices in order.
 */
export function nonMaxSuppression(boxes: readonly Box[], scores: ArrayLike<number>, maxOutput: number, iouThreshold: number, minScore: number): number[] {
  const order = Array.from({ length: boxes.length }, (_, i) => i)
    .filter((i) => scores[i] > minScore)
    .sort((i, j) => scores[j] - scores[i] || i - j);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxOutput) break;
    if (kept.every((k) => iou(boxes[i], boxes[k]) < iouThreshold)) kept.push(i);
  }
  return kept;
}

/**
 * NMS within each class (as torchvision's batched_nms and ultralytics' class offsets do): a
 * box is dropped when its IoU with a kept box of its class exceeds `iouThreshold`. Returns
 * kept indices, best score first, at most `maxOutput`.
 */
export function classwiseNms(boxes: readonly Box[], scores: ArrayLike<number>, classes: ArrayLike<number>, maxOutput: number, iouThreshold: number): number[] {
  const order = Array.from({ length: boxes.length }, (_, i) => i).sort((i, j) => scores[j] - scores[i] || i - j);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxOutput) break;
    if (kept.every((k) => classes[k] !== classes[i] || iou(boxes[i], boxes[k]) <= iouThreshold)) kept.push(i);
  }
  return kept;
}
