import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { UserError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import type { RasterImage } from '../image/image';
import { readFrames } from '../video/frames';
import { dHash, hamming, NEAR_DUPLICATE_BITS } from './dhash';
import { checkSetName, emptyManifest, hasManifest, readManifest, setDir, writeManifest, type SceneEntry, type SceneManifest, type Split } from './manifest';
import { assignSplits } from './split';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);
export const VIDEO_EXTENSIONS = new Set(['.mp4', '.avi', '.webm', '.mov', '.mkv', '.ogv', '.m4v']);

export interface AddOptions {
  set: string;
  /** Videos: keep one frame in N, or resample to F frames per second (default: 1 fps). */
  every?: number;
  fps?: number;
  /** Stored scenes are downscaled so the longer side is at most this. */
  maxSide?: number;
  /** Put every new source in this split instead of drawing it. */
  split?: Split;
  /** One source name for everything added by this call (e.g. crops of one photo). */
  source?: string;
  /** Seed of the split draw, for a new set. */
  seed?: number;
  /** Differences below this many bits of the 256-bit dHash count as the same picture. */
  duplicateBits?: number;
  onScene?: (message: string) => void;
}

export interface AddResult {
  manifest: SceneManifest;
  added: number;
  duplicates: number;
}

interface Input {
  kind: 'file' | 'video';
  path: string;
}

/** Image and video files named by the arguments (folders: their files, sorted). */
export function expandInputs(paths: readonly string[]): Input[] {
  const out: Input[] = [];
  const kindOf = (p: string): Input['kind'] | undefined => (IMAGE_EXTENSIONS.has(extname(p).toLowerCase()) ? 'file' : VIDEO_EXTENSIONS.has(extname(p).toLowerCase()) ? 'video' : undefined);
  for (const p of paths) {
    if (!existsSync(p)) throw new UserError(`${p}: no such file or folder`);
    if (statSync(p).isDirectory()) {
      const inside = readdirSync(p).sort().map((f) => join(p, f)).filter((f) => statSync(f).isFile() && kindOf(f));
      if (inside.length === 0) throw new UserError(`${p}: no images or videos in this folder`);
      for (const f of inside) out.push({ kind: kindOf(f) as Input['kind'], path: resolve(f) });
    } else {
      const kind = kindOf(p);
      if (!kind) throw new UserError(`${p}: not an image (${[...IMAGE_EXTENSIONS].join(' ')}) or video (${[...VIDEO_EXTENSIONS].join(' ')})`);
      out.push({ kind, path: resolve(p) });
    }
  }
  return out;
}

/**
 * Adds photos and video frames to a scene set: each stored once as JPEG with its source,
 * frame, size and hashes; pictures the set already holds (same bytes, or within the dHash
 * threshold) are skipped. New sources get a split, whole. The manifest is rewritten
 * atomically after every source, so an interrupted add keeps what it finished.
 */
export async function addScenes(inputs: readonly string[], options: AddOptions): Promise<AddResult> {
  checkSetName(options.set);
  if (options.every !== undefined && options.fps !== undefined) throw new UserError('--every and --fps: give one of them');
  const manifest = hasManifest(options.set) ? readManifest(options.set) : emptyManifest(options.set, options.seed ?? 1);
  const files = expandInputs(inputs);
  const dir = setDir(options.set);
  const maxSide = options.maxSide ?? 1024;
  const bits = options.duplicateBits ?? NEAR_DUPLICATE_BITS;
  const names = new Set(manifest.scenes.map((s) => s.file));
  const shas = new Set(manifest.scenes.map((s) => s.sha256));
  let added = 0;
  let duplicates = 0;
  const newSources = new Set<string>();

  const store = async (image: RasterImage | string, sourceKey: string, stem: string, frame?: { index: number; time: number }): Promise<void> => {
    const pipeline = typeof image === 'string' ? sharp(image).rotate() : sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
    const jpeg = await pipeline.removeAlpha().toColourspace('srgb').resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 92 }).toBuffer({ resolveWithObject: true });
    const sha256 = createHash('sha256').update(jpeg.data).digest('hex');
    const hash = await dHash(jpeg.data);
    const twin = shas.has(sha256) ? manifest.scenes.find((s) => s.sha256 === sha256) : manifest.scenes.find((s) => hamming(s.dhash, hash) <= bits);
    if (twin) {
      duplicates++;
      options.onScene?.(`${stem}: same picture as ${twin.file}; skipped`);
      return;
    }
    let file = `${stem}.jpg`;
    for (let k = 2; names.has(file); k++) file = `${stem}-${k}.jpg`;
    writeFileAtomic(join(dir, file), jpeg.data);
    const entry: SceneEntry = { file, source: sourceKey, width: jpeg.info.width, height: jpeg.info.height, sha256, dhash: hash, ...(frame ? { frame: frame.index, time: Number(frame.time.toFixed(3)) } : {}) };
    manifest.scenes.push(entry);
    names.add(file);
    shas.add(sha256);
    added++;
  };

  for (const input of files) {
    const key = options.source ?? input.path;
    if (!manifest.sources[key]) {
      manifest.sources[key] = { kind: input.kind, path: input.path, split: options.split ?? 'train', pinned: options.split !== undefined };
      if (!options.split) newSources.add(key);
    }
    const stem = slug(basename(input.path, extname(input.path)));
    if (input.kind === 'file') {
      await store(input.path, key, stem);
    } else {
      const sampling = options.every !== undefined ? { every: options.every } : { fps: options.fps ?? 1 };
      for await (const f of readFrames(input.path, { ...sampling, maxSide })) await store(f.image, key, `${stem}-f${String(f.index).padStart(5, '0')}`, f);
    }
    options.onScene?.(`${input.path}: ${manifest.scenes.filter((s) => s.source === key).length} scene(s) in the set`);
    writeManifest(manifest);
  }
  // Sources whose every picture was a duplicate hold nothing: drop them.
  for (const key of Object.keys(manifest.sources)) if (!manifest.scenes.some((s) => s.source === key)) delete manifest.sources[key];
  if (newSources.size > 0) assignSplits(manifest, manifest.detector ? 'people' : 'scenes', new Set([...newSources].filter((k) => manifest.sources[k])));
  writeManifest(manifest);
  return { manifest, added, duplicates };
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 80) || 'scene';
}
