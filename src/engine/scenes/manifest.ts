import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import { patchlabHome } from '../paths';
import { firstIssue } from '../../shared/zod-issue';
import { SCENE_SPLITS } from '../../shared/scenes';

/** Declared with the API contract (src/shared/scenes.ts), so the app's split choices are these. */
export const SPLITS = SCENE_SPLITS;
export type Split = (typeof SPLITS)[number];

const Box = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/** A person (or other object) the detector found once at add time, in the stored image's pixels. */
export const StoredObject = z.object({
  box: Box,
  score: z.number(),
  /** Pose keypoints (movenet order) in stored-image pixels with their confidence, when computed. */
  keypoints: z.array(z.tuple([z.number(), z.number(), z.number()])).optional(),
});
export type StoredObject = z.infer<typeof StoredObject>;

/** Where a group of scenes came from: one photo, or one video. Splits are assigned per source. */
export const SceneSource = z.object({
  kind: z.enum(['file', 'video']),
  path: z.string(),
  split: z.enum(SPLITS),
  /** Pinned by `--split` at add time instead of drawn. */
  pinned: z.boolean().default(false),
});
export type SceneSource = z.infer<typeof SceneSource>;

export const SceneEntry = z.object({
  /** File name inside the set's folder. */
  file: z.string(),
  /** Key into `sources`. */
  source: z.string(),
  /** Video frame number and time (seconds) for frames; absent for photos. */
  frame: z.number().int().nonnegative().optional(),
  time: z.number().nonnegative().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** sha256 of the stored file's bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Difference hash of the picture (hex), for near-duplicate checks. */
  dhash: z.string().regex(/^[0-9a-f]+$/),
  /** Objects of the set's detector class, once `detect` ran on this scene. */
  objects: z.array(StoredObject).optional(),
});
export type SceneEntry = z.infer<typeof SceneEntry>;

export const Detector = z.object({ model: z.string(), hash: z.string(), class: z.string(), minScore: z.number(), pose: z.object({ model: z.string(), hash: z.string() }).optional() });
export type Detector = z.infer<typeof Detector>;

export const SceneManifest = z.object({
  version: z.literal(1),
  name: z.string(),
  /** Seed of the split draw; the same seed and sources give the same splits. */
  seed: z.number().int(),
  /** Target shares of the splits (of person instances once detected, of scenes before). */
  fractions: z.object({ train: z.number().min(0), val: z.number().min(0), test: z.number().min(0) }),
  sources: z.record(z.string(), SceneSource),
  scenes: z.array(SceneEntry),
  detector: Detector.optional(),
});
export type SceneManifest = z.infer<typeof SceneManifest>;

export const MANIFEST = 'manifest.json';
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

export function setsRoot(): string {
  return join(patchlabHome(), 'scenes');
}

export function checkSetName(name: string): string {
  if (!NAME.test(name)) throw new UserError(`--set: '${name}' is not a set name (letters, digits, . _ -; up to 64)`);
  return name;
}

export function setDir(name: string): string {
  return join(setsRoot(), checkSetName(name));
}

export function emptyManifest(name: string, seed = 1): SceneManifest {
  return { version: 1, name, seed, fractions: { train: 0.6, val: 0.2, test: 0.2 }, sources: {}, scenes: [] };
}

export function hasManifest(name: string): boolean {
  return existsSync(join(setDir(name), MANIFEST));
}

export function readManifest(name: string): SceneManifest {
  const file = join(setDir(name), MANIFEST);
  if (!existsSync(file)) throw new UserError(`scene set '${name}': no such set (patchlab scenes add ... --set ${name} makes one)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: not JSON (${(error as Error).message})`);
  }
  const parsed = SceneManifest.safeParse(raw);
  if (!parsed.success) throw new UserError(`${file}: ${firstIssue(parsed.error, 'manifest')}`);
  return parsed.data;
}

export function writeManifest(manifest: SceneManifest): void {
  writeFileAtomic(join(setDir(manifest.name), MANIFEST), JSON.stringify(manifest, null, 1) + '\n');
}

/** Scenes of one split (or all), in manifest order. */
export function scenesOf(manifest: SceneManifest, split?: Split): SceneEntry[] {
  return split ? manifest.scenes.filter((s) => manifest.sources[s.source]?.split === split) : manifest.scenes;
}
