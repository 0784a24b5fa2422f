import { extname } from 'node:path';
import { alignFace, mainFace, zooFaceDetector, type FaceDetector, type FaceInfo } from '../attacks/physical/faces';
import { targetFromModel } from '../attacks/physical/model-target';
import { unit } from '../attacks/physical/prepare';
import { scenesToPixels } from '../attacks/physical/scenes';
import type { AttackTarget } from '../attacks/physical/target';
import { decodeImage, type RasterImage } from '../image/image';
import { loadModel } from '../models/loaded';
import { spreadFrames } from '../video/frames';

/** Extensions read as videos (frames through the shipped ffmpeg); anything else is decoded as a photo. */
const VIDEO_EXTENSIONS = new Set(['.mp4', '.webm', '.mov', '.mkv', '.avi', '.ogv', '.m4v']);

export function isVideo(file: string): boolean {
  return VIDEO_EXTENSIONS.has(extname(file).toLowerCase());
}

/** One photo to embed: a still, or a frame of a video at a time. */
export interface FaceSource {
  file: string;
  /** Seconds into the video, for frames. */
  time?: number;
  image: RasterImage;
}

/** Stills as given; each video becomes `frames` frames spread over its length (different moments). */
export async function readSources(inputs: readonly string[], frames: number): Promise<FaceSource[]> {
  const out: FaceSource[] = [];
  for (const file of inputs) {
    if (isVideo(file)) for (const f of await spreadFrames(file, frames)) out.push({ file, time: f.time, image: f.image });
    else out.push({ file, image: await decodeImage(file, { label: file }) });
  }
  return out;
}

/** The descriptor model and the face detector a gallery is built and judged with. */
export interface FaceModels {
  descriptor: AttackTarget;
  detect: FaceDetector;
}

/** The zoo's face descriptor: what `faces enrol`, `faces calibrate` and the app use unless told otherwise. */
export const DEFAULT_FACE_MODEL = 'faceres';

export async function zooFaceModels(model = DEFAULT_FACE_MODEL): Promise<FaceModels> {
  return { descriptor: targetFromModel(await loadModel(model)), detect: await zooFaceDetector() };
}

export interface EmbeddedFace {
  face: FaceInfo;
  /** Unit descriptor of the largest face, aligned as the eyeglass attack aligns it. */
  embedding: Float32Array;
}

/** The largest face's unit descriptor, or undefined when the detector finds no face. */
export async function embedLargestFace(models: FaceModels, image: RasterImage, label: string): Promise<EmbeddedFace | undefined> {
  const faces = await models.detect(image);
  if (faces.length === 0) return undefined;
  const face = await mainFace(async () => faces, image, label);
  const aligned = alignFace(image, face, models.descriptor.width, models.descriptor.height);
  const [prediction] = await models.descriptor.predict(scenesToPixels([aligned.plane]));
  return { face, embedding: unit(prediction.embedding) };
}
