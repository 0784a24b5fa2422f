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

/**
 * Fraction of a convex polygon's area (a placed patch's quad) that lies inside a box, by
 * clipping it to the box's four edges (Sutherland-Hodgman). 0 for a polygon with no area.
 */
export function fractionInside(polygon: readonly (readonly [number, number])[], box: Box): number {
  const whole = Math.abs(polygonArea(polygon));
  if (whole <= 0) return 0;
  let clipped: (readonly [number, number])[] = [...polygon];
  const edges: [axis: 0 | 1, bound: number, keepAbove: boolean][] = [
    [0, box[0], true],
    [0, box[2], false],
    [1, box[1], true],
    [1, box[3], false],
  ];
  for (const [axis, bound, keepAbove] of edges) {
    const inside = (p: readonly [number, number]): boolean => (keepAbove ? p[axis] >= bound : p[axis] <= bound);
    const next: (readonly [number, number])[] = [];
    clipped.forEach((p, i) => {
      const q = clipped[(i + 1) % clipped.length];
      if (inside(p)) next.push(p);
      if (inside(p) !== inside(q)) {
        const t = (bound - p[axis]) / (q[axis] - p[axis]);
        next.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
      }
    });
    clipped = next;
    if (clipped.length === 0) return 0;
  }
  return Math.min(1, Math.abs(polygonArea(clipped)) / whole);
}

/** Signed shoelace area. */
function polygonArea(points: readonly (readonly [number, number])[]): number {
  let twice = 0;
  points.forEach((p, i) => {
    const q = points[(i + 1) % points.length];
    twice += p[0] * q[1] - q[0] * p[1];
  });
  return twice / 2;
}
