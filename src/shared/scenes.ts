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
