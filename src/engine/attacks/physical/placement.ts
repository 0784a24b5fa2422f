import type { Quad } from '../../../shared/homography';
import type { EyeAnchors } from '../../render/eyeglasses';
import type { Detection } from '../../models/types';

export type { Box } from '../../../shared/box';
import type { Box } from '../../../shared/box';
import { TORSO_SIDE_PER_SIZE } from '../../../shared/physical-attacks';

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

/** Keypoints torso placement trusts: at least this confident. */
export const MIN_KEYPOINT_SCORE = 0.3;

/**
 * A worn print on the chest, from pose keypoints (x, y, score; MoveNet's order: shoulders 5/6,
 * hips 11/12): side = TORSO_SIDE_PER_SIZE · size · shoulder width, centred 40% of the way from
 * the shoulders' midpoint to the hips' (half a shoulder width below the shoulders without hips),
 * turned with the shoulder line. Undefined when the shoulders are missing, unsure, or too narrow for the box
 * (a person seen from the side): the caller falls back to the box rule.
 */
export function patchOnTorso(keypoints: readonly (readonly [number, number, number])[], box: Box, size: number, aspect = 1, minScore = MIN_KEYPOINT_SCORE): Quad | undefined {
  const [ls, rs, lh, rh] = [5, 6, 11, 12].map((k) => keypoints[k]);
  if (!ls || !rs || ls[2] < minScore || rs[2] < minScore) return undefined;
  const width = Math.hypot(ls[0] - rs[0], ls[1] - rs[1]);
  if (width < 0.2 * (box[2] - box[0])) return undefined;
  const mx = (ls[0] + rs[0]) / 2;
  const my = (ls[1] + rs[1]) / 2;
  // The shoulder line from the image-left shoulder to the image-right one, and "down" across it.
  const [a, b] = ls[0] <= rs[0] ? [ls, rs] : [rs, ls];
  const angle = Math.atan2(b[1] - a[1], b[0] - a[0]);
  let cx = mx - Math.sin(angle) * 0.5 * width;
  let cy = my + Math.cos(angle) * 0.5 * width;
  if (lh && rh && lh[2] >= minScore && rh[2] >= minScore) {
    cx = mx + 0.4 * ((lh[0] + rh[0]) / 2 - mx);
    cy = my + 0.4 * ((lh[1] + rh[1]) / 2 - my);
  }
  const q = centredQuad(0, 0, TORSO_SIDE_PER_SIZE * size * width, aspect);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return q.map(([x, y]) => [cx + cos * x - sin * y, cy + sin * x + cos * y]) as unknown as Quad;
}
