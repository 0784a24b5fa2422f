import { z } from 'zod';
import { FileName, LimitedBytes, Slug } from './bytes';

export const SceneSet = z.object({
  id: Slug,
  title: z.string(),
  builtin: z.boolean(),
  images: z.array(z.string()),
});
export type SceneSet = z.infer<typeof SceneSet>;

/** A printable palette: what NPS pulls the patch towards; calibrated ones come from a photo of the printed chart. */
export const PaletteSummary = z.object({
  name: z.string(),
  builtin: z.boolean(),
  calibrated: z.boolean(),
  /** Up to 64 swatches as #rrggbb, for a preview strip. */
  swatches: z.array(z.string().regex(/^#[0-9a-f]{6}$/)),
});
export type PaletteSummary = z.infer<typeof PaletteSummary>;

export const ReadSceneParams = z.object({ set: Slug, image: FileName, maxSide: z.number().int().min(16).max(4096).optional() });

export const AddScenesParams = z.object({
  set: Slug,
  images: z.array(z.object({ name: FileName, bytes: LimitedBytes })).min(1).max(200),
});

/** The splits of a managed scene set (train/val/test, dealt by source). The engine's scenes code uses this list. */
export const SCENE_SPLITS = ['train', 'val', 'test'] as const;
export type SceneSplit = (typeof SCENE_SPLITS)[number];

const SplitCounts = z.object({ sources: z.number().int(), scenes: z.number().int(), people: z.number().int().optional() });

/** What `patchlab scenes info` prints: a set's scenes (and people) per split. */
export const SceneSetInfo = z.object({
  name: z.string(),
  /** Whether the set has a manifest (made by the engine's scenes code) with sources and splits. */
  managed: z.boolean(),
  scenes: z.number().int(),
  sources: z.number().int(),
  seed: z.number().int().optional(),
  detector: z.object({ model: z.string(), class: z.string(), minScore: z.number(), pose: z.string().optional() }).optional(),
  splits: z.record(z.enum(SCENE_SPLITS), SplitCounts).optional(),
});
export type SceneSetInfo = z.infer<typeof SceneSetInfo>;

const RecordTarget = {
  set: Slug,
  /** Put this recording in one split instead of drawing it. */
  split: z.enum(SCENE_SPLITS).optional(),
};

/** Webcam captures into a set through the engine's scenes code (one source per call, so a recording lands in one split). */
export const RecordScenesParams = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('frames'), ...RecordTarget, frames: z.array(z.object({ name: FileName, bytes: LimitedBytes })).min(1).max(200) }),
  z.object({
    kind: z.literal('clip'),
    ...RecordTarget,
    /** A recorded video (what MediaRecorder gives: webm). */
    clip: z.object({ name: FileName.refine((n) => /\.(webm|mp4|mkv|mov)$/i.test(n), 'a .webm, .mp4, .mkv or .mov file'), bytes: LimitedBytes }),
    /** Frames per second kept from the clip; the engine's default when absent. */
    fps: z.number().positive().max(30).optional(),
  }),
]);

export const RecordScenesResult = z.object({ added: z.number().int(), duplicates: z.number().int(), info: SceneSetInfo });

const Box = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const Quad = z.tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])]);

/** Where `--placement torso` puts the patch on each person of a webcam frame. */
export const PlaceTorsoParams = z.object({
  /** The frame: JPEG/PNG bytes, or raw pixels when `raw` is given. */
  image: LimitedBytes,
  raw: z.object({ width: z.number().int().min(1).max(8192), height: z.number().int().min(1).max(8192), channels: z.union([z.literal(3), z.literal(4)]) }).optional(),
  /** The detector that finds the people (as the attack's --model). */
  model: z.string().min(1),
  className: z.string().min(1).max(100).default('person'),
  /** Patch size as the attack takes it; the patch attack's default when absent. */
  size: z.number().min(0.01).max(4).optional(),
});

export const PlaceTorsoResult = z.object({
  width: z.number(),
  height: z.number(),
  size: z.number(),
  /** Keypoints below this confidence are not trusted by the placement. */
  minKeypointScore: z.number(),
  people: z.array(z.object({ box: Box, score: z.number(), on: z.enum(['torso', 'box']), quad: Quad, keypoints: z.array(z.tuple([z.number(), z.number(), z.number()])) })),
});
export type PlaceTorsoResult = z.infer<typeof PlaceTorsoResult>;
