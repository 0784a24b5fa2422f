import { UserError } from '../../errors';
import { detectFaces } from '../../models/faces';
import type { RasterImage } from '../../image/image';
import { applyH, type Mat3 } from '../../../shared/homography';
import { makePlane, type Plane } from '../../render/texture';
import { rasterToPlane } from './scenes';
import type { Box } from './placement';

/** A detected face with its eye centres (as they appear in the image), in image pixels. */
export interface FaceInfo {
  box: Box;
  score: number;
  leftEye: [number, number];
  rightEye: [number, number];
}

/** Finds faces; the zoo's blazeface behind it by default, a TypeScript stand-in in tests. */
export type FaceDetector = (image: RasterImage) => Promise<FaceInfo[]>;

/** How much larger than the detector box the crop is, as the human library crops for faceres. */
const CROP_SCALE = 1.4;

/** An aligned face: the crop the descriptor sees and the map from photo pixels to crop pixels. */
export interface AlignedFace {
  plane: Plane;
  toCrop: Mat3;
  leftEye: [number, number];
  rightEye: [number, number];
}

/**
 * Crops a face the way the zoo's face descriptor was fed in training (the human library's
 * crop: the detector box enlarged 1.4x around its centre and squared), turned so the eyes are
 * level, so every view of a person reaches the descriptor the same way (enrolment and attack).
 */
export function alignFace(image: RasterImage, face: FaceInfo, width: number, height: number): AlignedFace {
  const [l, r] = face.leftEye[0] <= face.rightEye[0] ? [face.leftEye, face.rightEye] : [face.rightEye, face.leftEye];
  const [x1, y1, x2, y2] = face.box;
  const side = Math.max(x2 - x1, y2 - y1) * CROP_SCALE;
  const [cx, cy] = [(x1 + x2) / 2, (y1 + y2) / 2];
  const angle = Math.atan2(r[1] - l[1], r[0] - l[0]);
  // Photo -> crop: rotate by -angle about the box centre, scale side -> crop size, centre it.
  const kx = width / side;
  const ky = height / side;
  const cos = Math.cos(-angle);
  const sin = Math.sin(-angle);
  const toCrop = Float64Array.from([kx * cos, -kx * sin, width / 2 - kx * (cos * cx - sin * cy), ky * sin, ky * cos, height / 2 - ky * (sin * cx + cos * cy), 0, 0, 1]);
  const crop = sampleThrough(rasterToPlane(image), toCrop, width, height);
  return { plane: crop, toCrop, leftEye: applyH(toCrop, ...l), rightEye: applyH(toCrop, ...r) };
}

function sampleThrough(src: Plane, toCrop: Mat3, width: number, height: number): Plane {
  const out = makePlane(width, height, 3);
  const inv = invertSimilarity(toCrop);
  const plane = src.width * src.height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = applyH(inv, x + 0.5, y + 0.5);
      const u = Math.min(src.width - 1, Math.max(0, sx - 0.5));
      const v = Math.min(src.height - 1, Math.max(0, sy - 0.5));
      const ix = Math.min(src.width - 2, Math.floor(u));
      const iy = Math.min(src.height - 2, Math.floor(v));
      const fx = u - ix;
      const fy = v - iy;
      for (let c = 0; c < 3; c++) {
        const b = c * plane + iy * src.width + ix;
        out.data[c * width * height + y * width + x] = (1 - fy) * ((1 - fx) * src.data[b] + fx * src.data[b + 1]) + fy * ((1 - fx) * src.data[b + src.width] + fx * src.data[b + src.width + 1]);
      }
    }
  }
  return out;
}

function invertSimilarity(m: Mat3): Mat3 {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  return Float64Array.from([e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det, 0, 0, 1]);
}

/** The largest face in a photo, or a one-line error naming the file. */
export async function mainFace(detect: FaceDetector, image: RasterImage, label: string): Promise<FaceInfo> {
  const faces = await detect(image);
  if (faces.length === 0) throw new UserError(`${label}: no face found`);
  return faces.reduce((a, b) => ((b.box[2] - b.box[0]) * (b.box[3] - b.box[1]) > (a.box[2] - a.box[0]) * (a.box[3] - a.box[1]) ? b : a));
}

/** Faces from the zoo: blazeface boxes and eye keypoints. */
export async function zooFaceDetector(): Promise<FaceDetector> {
  return async (image: RasterImage) =>
    (await detectFaces(image)).flatMap((f) => {
      const eyes = f.keypoints.filter((k) => k.name === 'leftEye' || k.name === 'rightEye');
      if (eyes.length < 2) return [];
      // Eyes as they appear in the image, left to right (blazeface names them from the subject's side).
      const [a, b] = eyes[0].x <= eyes[1].x ? [eyes[0], eyes[1]] : [eyes[1], eyes[0]];
      return [{ box: f.box, score: f.score, leftEye: [a.x, a.y] as [number, number], rightEye: [b.x, b.y] as [number, number] }];
    });
}
