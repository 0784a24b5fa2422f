import { invertAffine, warpAffine, type Affine } from '../image/affine';
import type { RasterImage } from '../image/image';
import { loadModel, type LoadedModel } from './loaded';
import { predictImages } from './predict';
import type { Face } from './types';

export interface DetectFacesOptions {
  /** Minimum face score (sigmoid of the logit); default from the blazeface manifest (0.2). */
  minScore?: number;
  maxFaces?: number;
  iouThreshold?: number;
}

/** Faces in an image, best first, with boxes and the six BlazeFace keypoints in image pixels. */
export async function detectFaces(image: RasterImage, options: DetectFacesOptions = {}): Promise<Face[]> {
  const base = await loadModel('blazeface');
  const head = base.head;
  const model = Object.keys(options).length === 0 || head.kind !== 'detector' ? base : await loadModel('blazeface', { head: { ...head, options: { ...head.options, ...options } } });
  const [result] = await predictImages(model, [{ name: 'image', image }]);
  return [...(result.faces ?? [])].sort((a, b) => b.score - a.score);
}

export interface AlignedFace {
  crop: RasterImage;
  /** Maps crop pixel coordinates to image pixel coordinates (pixel-centre convention). */
  toImage: Affine;
  /** Maps image pixel coordinates to crop pixel coordinates. */
  toCrop: Affine;
  /** The square crop window in image pixels [x1, y1, x2, y2] (before rotation). */
  box: [number, number, number, number];
  /** Rotation applied, in radians (0 unless `upright`). */
  angle: number;
}

export interface AlignOptions {
  /** How much larger than the detector box the crop is (the human library uses 1.4). */
  scale?: number;
  /** Rotate so the eyes are level (the human library leaves faces unrotated by default). */
  upright?: boolean;
}

/**
 * The face crop the face models expect, made as the human library makes it: the detector box
 * enlarged 1.4x around its centre, squared to its longer side, resampled to size x size.
 */
export function alignFace(image: RasterImage, face: Face, size: number, options: AlignOptions = {}): AlignedFace {
  const [x1, y1, x2, y2] = face.box;
  const scale = options.scale ?? 1.4;
  const side = Math.max(x2 - x1, y2 - y1) * scale;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  const angle = options.upright ? eyeAngle(face) : 0;
  const k = side / size;
  const [cos, sin] = [Math.cos(angle) * k, Math.sin(angle) * k];
  // Crop centre (size/2, size/2) lands on the box centre; the crop axes are rotated by `angle`.
  const toImage: Affine = [cos, -sin, cx - (cos * size) / 2 + (sin * size) / 2, sin, cos, cy - (sin * size) / 2 - (cos * size) / 2];
  return {
    crop: warpAffine(image, toImage, size, size),
    toImage,
    toCrop: invertAffine(toImage),
    box: [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2],
    angle,
  };
}

function eyeAngle(face: Face): number {
  const left = face.keypoints.find((k) => k.name === 'leftEye');
  const right = face.keypoints.find((k) => k.name === 'rightEye');
  if (!left || !right) return 0;
  const [a, b] = left.x < right.x ? [left, right] : [right, left];
  return Math.atan2(b.y - a.y, b.x - a.x);
}

export interface FaceEmbedding {
  /** The faceres descriptor (1024 values, global-pooled features). */
  descriptor: Float32Array;
  /** Age estimate in years, read from the 100-bin age head as the human library reads it. */
  age: number;
  gender: 'female' | 'male';
  /** Gender confidence 0..0.99, as the human library reports it. */
  genderScore: number;
}

/** Descriptor, age and gender of an aligned face crop (any size; resized to the model's 224). */
export async function embedFace(crop: RasterImage, model?: LoadedModel): Promise<FaceEmbedding> {
  const faceres = model ?? (await loadModel('faceres'));
  const [result] = await predictImages(faceres, [{ name: 'face', image: crop }]);
  return { descriptor: Float32Array.from(result.embedding ?? []), ...readFaceAttributes(result.extras ?? {}) };
}

/** Age and gender from faceres's extra heads, read as the human library reads them. */
export function readFaceAttributes(extras: Record<string, number[]>): Pick<FaceEmbedding, 'age' | 'gender' | 'genderScore'> {
  const g = extras.gender?.[0] ?? 0.5;
  return { age: readAge(extras.age ?? []), gender: g <= 0.5 ? 'female' : 'male', genderScore: Math.min(0.99, Math.trunc(200 * Math.abs(g - 0.5)) / 100) };
}

/** The human library's reading of the age softmax: the arg-max bin, nudged toward its larger neighbour. */
export function readAge(bins: readonly number[]): number {
  if (bins.length === 0) return 0;
  let best = 0;
  for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
  const before = bins[best - 1] ?? 0;
  const after = bins[best + 1] ?? 0;
  return Math.round(before > after ? 10 * best - 100 * before : 10 * best + 100 * after) / 10;
}

/** Cosine similarity of two face descriptors, in [-1, 1]. */
export function faceSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) throw new Error(`descriptors of length ${a.length} and ${b.length} cannot be compared`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb || 1);
}

/** The largest detected face's aligned crop, or undefined when there is no face. */
export async function largestFaceCrop(image: RasterImage, size: number): Promise<AlignedFace | undefined> {
  const faces = await detectFaces(image);
  if (faces.length === 0) return undefined;
  const area = (f: Face) => (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]);
  const face = faces.reduce((a, b) => (area(b) > area(a) ? b : a));
  return alignFace(image, face, size);
}

