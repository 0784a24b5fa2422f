import type { Quad } from '../render/homography';
import type { EyeAnchors } from '../render/eyeglasses';
import type { Detection } from '../models/types';

export type Box = readonly [number, number, number, number];

/**
 * A patch on an object: for persons (adversarial-yolo's geometry) a square of side
 * size · sqrt(w² + h²) centred on the box, raised by 5% of the box height. `aspect` = w/h of
 * the patch keeps its area.
 */
export function patchOnBox(box: Box, size: number, aspect = 1, raise = 0.05): Quad {
  const [x0, y0, x1, y1] = box;
  const w = x1 - x0;
  const h = y1 - y0;
  const side = size * Math.hypot(w, h);
  return centredQuad((x0 + x1) / 2, (y0 + y1) / 2 - raise * h, side, aspect);
}

/** A sticker covering `area` of the box (e.g. 0.08 = 8%), centred on it. */
export function stickerOnBox(box: Box, area: number, aspect = 1): Quad {
  const [x0, y0, x1, y1] = box;
  const side = Math.sqrt(area * (x1 - x0) * (y1 - y0));
  return centredQuad((x0 + x1) / 2, (y0 + y1) / 2, side, aspect);
}

export function centredQuad(cx: number, cy: number, side: number, aspect = 1): Quad {
  const hw = (side * Math.sqrt(aspect)) / 2;
  const hh = side / Math.sqrt(aspect) / 2;
  return [
    [cx - hw, cy - hh],
    [cx + hw, cy - hh],
    [cx + hw, cy + hh],
    [cx - hw, cy + hh],
  ];
}

/**
 * Eyeglass frames on a face: the similarity that puts the frame's lens centres on the eyes
 * (left/right as they appear in the image), scaled by `scale` about the eye midpoint.
 */
export function framesOnEyes(anchors: EyeAnchors, frameWidth: number, frameHeight: number, leftEye: readonly [number, number], rightEye: readonly [number, number], scale = 1): Quad {
  const [ax, ay] = anchors.left;
  const [bx, by] = anchors.right;
  const [ex0, ey0] = leftEye[0] <= rightEye[0] ? leftEye : rightEye;
  const [ex1, ey1] = leftEye[0] <= rightEye[0] ? rightEye : leftEye;
  const srcAngle = Math.atan2(by - ay, bx - ax);
  const dstAngle = Math.atan2(ey1 - ey0, ex1 - ex0);
  const k = (scale * Math.hypot(ex1 - ex0, ey1 - ey0)) / Math.hypot(bx - ax, by - ay);
  const rot = dstAngle - srcAngle;
  const cos = Math.cos(rot) * k;
  const sin = Math.sin(rot) * k;
  const [mx, my] = [(ax + bx) / 2, (ay + by) / 2];
  const [tx, ty] = [(ex0 + ex1) / 2, (ey0 + ey1) / 2];
  const map = (x: number, y: number): [number, number] => [cos * (x - mx) - sin * (y - my) + tx, sin * (x - mx) + cos * (y - my) + ty];
  return [map(0, 0), map(frameWidth, 0), map(frameWidth, frameHeight), map(0, frameHeight)];
}

/** Detections of one class at or above a score, largest first. */
export function objectsOfClass(detections: readonly Detection[], classIndex: number, minScore: number): Detection[] {
  return detections
    .filter((d) => d.classIndex === classIndex && d.score >= minScore)
    .sort((a, b) => (b.box[2] - b.box[0]) * (b.box[3] - b.box[1]) - (a.box[2] - a.box[0]) * (a.box[3] - a.box[1]));
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}
