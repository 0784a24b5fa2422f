import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { UserError } from '../../errors';
import { decodeImage, type RasterImage } from '../../image/image';
import { resizeImage, type ResizeTransform } from '../../image/resize';
import { makePlane, type Plane } from '../../render/texture';
import { selectScenesOf } from '../../scenes/resolve';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** Image files named by a folder (sorted), a comma-separated list of files, or a scene set (set:NAME[:split]). */
export function listSceneFiles(spec: string, flag = '--scenes'): string[] {
  const selection = selectScenesOf(spec);
  if (selection) return selection.files;
  const parts = spec.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  const files: string[] = [];
  for (const part of parts) {
    if (!existsSync(part)) throw new UserError(`${flag}: ${part}: no such file or folder`);
    if (statSync(part).isDirectory()) {
      const inside = readdirSync(part)
        .filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()))
        .sort()
        .map((f) => join(part, f));
      if (inside.length === 0) throw new UserError(`${flag}: ${part}: no images (.jpg, .png, .webp) in this folder`);
      files.push(...inside);
    } else files.push(part);
  }
  if (files.length === 0) throw new UserError(`${flag}: no scene images given`);
  return files;
}

/** A scene at the model's input size, and how its pixels map back to the original photo. */
export interface Scene {
  name: string;
  file: string;
  plane: Plane;
  transform: ResizeTransform;
  originalWidth: number;
  originalHeight: number;
}

export function rasterToPlane(image: RasterImage): Plane {
  const n = image.width * image.height;
  const p = makePlane(image.width, image.height, 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) p.data[c * n + i] = image.data[i * image.channels + c] / 255;
  return p;
}

export async function loadScene(file: string, width: number, height: number, mode: 'stretch' | 'letterbox' = 'stretch'): Promise<Scene> {
  const original = await decodeImage(file);
  const { image, transform } = await resizeImage(original, width, height, { mode });
  return { name: basename(file), file, plane: rasterToPlane(image), transform, originalWidth: original.width, originalHeight: original.height };
}

export async function loadScenes(files: readonly string[], width: number, height: number, mode: 'stretch' | 'letterbox' = 'stretch'): Promise<Scene[]> {
  const scenes: Scene[] = [];
  for (const f of files) scenes.push(await loadScene(f, width, height, mode));
  return scenes;
}

/** Scene planes as one NCHW batch. */
export function scenesToPixels(planes: readonly Plane[]): { type: 'float32'; dims: number[]; data: Float32Array } {
  const { width, height } = planes[0];
  const size = 3 * width * height;
  const data = new Float32Array(planes.length * size);
  planes.forEach((p, i) => data.set(p.data, i * size));
  return { type: 'float32', dims: [planes.length, 3, height, width], data };
}
