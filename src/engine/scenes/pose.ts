import sharp from 'sharp';
import { join } from 'node:path';
import type { Box } from '../attacks/physical/placement';
import { decodeImage, type RasterImage } from '../image/image';
import { loadModel } from '../models/loaded';
import { readManifest, setDir, writeManifest } from './manifest';

/** MoveNet's 17 COCO keypoints: the ones torso placement reads. */
export const KEYPOINT = { leftShoulder: 5, rightShoulder: 6, leftHip: 11, rightHip: 12 } as const;

/** (x, y, confidence) per keypoint, in the image's pixels. */
export type Keypoints = [number, number, number][];

export interface PoseEstimator {
  name: string;
  hash: string;
  /** Keypoints of the person in `box` (image pixels): MoveNet on a square crop around the box. */
  estimate(image: RasterImage, box: Box): Promise<Keypoints>;
  dispose(): Promise<void>;
}

/** How much larger than the person box the square crop is: MoveNet wants the whole body with a margin. */
const CROP_MARGIN = 1.25;

/** The zoo's movenet (SinglePose Lightning) on one person at a time. */
export async function movenetEstimator(): Promise<PoseEstimator> {
  const model = await loadModel('movenet');
  const session = await model.session();
  const size = model.width;
  return {
    name: model.name,
    hash: model.hash,
    async estimate(image, box) {
      const side = Math.max(box[2] - box[0], box[3] - box[1]) * CROP_MARGIN;
      const x0 = (box[0] + box[2]) / 2 - side / 2;
      const y0 = (box[1] + box[3]) / 2 - side / 2;
      const scale = size / side;
      // The part of the crop inside the image, resized, then padded black to the full square.
      const ix0 = Math.max(0, Math.floor(x0));
      const iy0 = Math.max(0, Math.floor(y0));
      const ix1 = Math.min(image.width, Math.ceil(x0 + side));
      const iy1 = Math.min(image.height, Math.ceil(y0 + side));
      const w = Math.max(1, Math.min(size, Math.round((ix1 - ix0) * scale)));
      const h = Math.max(1, Math.min(size, Math.round((iy1 - iy0) * scale)));
      const left = Math.min(size - w, Math.max(0, Math.round((ix0 - x0) * scale)));
      const top = Math.min(size - h, Math.max(0, Math.round((iy0 - y0) * scale)));
      const raw = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
        .extract({ left: ix0, top: iy0, width: Math.max(1, ix1 - ix0), height: Math.max(1, iy1 - iy0) })
        .removeAlpha()
        .resize(w, h, { fit: 'fill' })
        .extend({ left, top, right: size - w - left, bottom: size - h - top, background: { r: 0, g: 0, b: 0 } })
        .raw()
        .toBuffer();
      const n = size * size;
      const data = new Int32Array(3 * n);
      for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) data[c * n + p] = raw[p * 3 + c];
      const out = await session.run({ [model.input.name]: { type: 'int32', dims: [1, 3, size, size], data } });
      const kp = Object.values(out)[0].data as Float32Array;
      // Output (y, x, score) in [0, 1] of the padded crop; the pixel at crop (cx, cy) is image (x0 + cx / scale, ...).
      const sx = (ix1 - ix0) / w;
      const sy = (iy1 - iy0) / h;
      return Array.from({ length: 17 }, (_, k) => [ix0 + (kp[3 * k + 1] * size - left) * sx, iy0 + (kp[3 * k] * size - top) * sy, kp[3 * k + 2]] as [number, number, number]);
    },
    dispose: () => session.release(),
  };
}

/**
 * Computes every stored person's keypoints once and keeps them in the set's manifest (rounded),
 * so torso placement in training and evaluation reads them instead of running MoveNet again.
 */
export async function poseInSet(set: string, estimator: PoseEstimator, onProgress?: (done: number, total: number) => void): Promise<void> {
  const manifest = readManifest(set);
  if (!manifest.detector) throw new Error(`scene set '${set}': detect people first (patchlab scenes detect)`);
  const fresh = manifest.detector.pose?.hash !== estimator.hash;
  const todo = manifest.scenes.filter((s) => (s.objects ?? []).some((o) => fresh || !o.keypoints));
  let done = 0;
  for (const scene of todo) {
    const image = await decodeImage(join(setDir(set), scene.file));
    for (const o of scene.objects ?? []) o.keypoints = (await estimator.estimate(image, o.box)).map(([x, y, c]) => [Number(x.toFixed(1)), Number(y.toFixed(1)), Number(c.toFixed(3))] as [number, number, number]);
    done++;
    if (done % 20 === 0) writeManifest(manifest);
    onProgress?.(done, todo.length);
  }
  manifest.detector.pose = { model: estimator.name, hash: estimator.hash };
  writeManifest(manifest);
}
