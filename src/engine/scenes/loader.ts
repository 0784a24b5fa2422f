import sharp from 'sharp';
import { UserError } from '../errors';
import type { ResizeTransform } from '../image/resize';
import type { Plane } from '../render/texture';
import { loadScene } from '../attacks/physical/scenes';

/**
 * Scenes at the model's input size, read from disk when asked for and kept in a small
 * least-recently-used cache: a run over thousands of frames holds `cache` planes, not all.
 */
export interface PlaneSource {
  readonly length: number;
  get(index: number): Promise<Plane>;
}

/** Planes already in memory (eyeglass faces, tests). */
export function planesInMemory(planes: readonly Plane[]): PlaneSource {
  return { length: planes.length, get: async (i) => planes[i] };
}

export interface StreamedScenes extends PlaneSource {
  readonly files: readonly string[];
  /** How original-image pixels map to model-input pixels, per scene. */
  readonly transforms: readonly ResizeTransform[];
  readonly originalSizes: readonly { width: number; height: number }[];
}

/** Stored-image size after EXIF orientation, without decoding pixels. */
export async function imageSize(file: string): Promise<{ width: number; height: number }> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(file).metadata();
  } catch (error) {
    throw new UserError(`${file}: cannot read image (${(error as Error).message.split('\n')[0]})`);
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  return swap ? { width: h, height: w } : { width: w, height: h };
}

/** The transform `resizeImage` will use, from the original size alone. */
export function resizeTransformFor(size: { width: number; height: number }, width: number, height: number, mode: 'stretch' | 'letterbox'): ResizeTransform {
  if (size.width === width && size.height === height) return { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 };
  if (mode === 'stretch') return { scaleX: width / size.width, scaleY: height / size.height, offsetX: 0, offsetY: 0 };
  const scale = Math.min(width / size.width, height / size.height);
  const innerW = Math.max(1, Math.round(size.width * scale));
  const innerH = Math.max(1, Math.round(size.height * scale));
  return { scaleX: innerW / size.width, scaleY: innerH / size.height, offsetX: Math.floor((width - innerW) / 2), offsetY: Math.floor((height - innerH) / 2) };
}

export async function streamScenes(files: readonly string[], width: number, height: number, mode: 'stretch' | 'letterbox' = 'stretch', cache = 24): Promise<StreamedScenes> {
  const originalSizes: { width: number; height: number }[] = [];
  for (const f of files) originalSizes.push(await imageSize(f));
  const transforms = originalSizes.map((s) => resizeTransformFor(s, width, height, mode));
  const held = new Map<number, Promise<Plane>>();
  return {
    length: files.length,
    files,
    transforms,
    originalSizes,
    get(index: number): Promise<Plane> {
      const hit = held.get(index);
      if (hit) {
        held.delete(index);
        held.set(index, hit);
        return hit;
      }
      const loading = loadScene(files[index], width, height, mode).then((s) => s.plane);
      loading.catch(() => held.delete(index));
      held.set(index, loading);
      while (held.size > Math.max(1, cache)) held.delete(held.keys().next().value as number);
      return loading;
    },
  };
}
