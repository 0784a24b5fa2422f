/** An axis-aligned box as [x1, y1, x2, y2] (x2 > x1, y2 > y1 for a real box). */
export type Box = readonly [number, number, number, number];

export function boxArea(b: Box): number {
  return (b[2] - b[0]) * (b[3] - b[1]);
}

/** Area of the overlap of two boxes (0 where they do not overlap). */
export function intersectionArea(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Intersection over union: the one IoU of the project (NMS, placement, validation, AP). A box
 * with no area overlaps nothing (0), so degenerate detections never suppress or match.
 */
export function iou(a: Box, b: Box): number {
  const areaA = boxArea(a);
  const areaB = boxArea(b);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = intersectionArea(a, b);
  return inter / (areaA + areaB - inter);
}
