import { z } from 'zod';
import { FileName, LimitedBytes, Slug } from './bytes';

export const SceneSet = z.object({
  id: Slug,
  title: z.string(),
  builtin: z.boolean(),
  images: z.array(z.string()),
});
export type SceneSet = z.infer<typeof SceneSet>;

export const ReadSceneParams = z.object({ set: Slug, image: FileName, maxSide: z.number().int().min(16).max(4096).optional() });

export const AddScenesParams = z.object({
  set: Slug,
  images: z.array(z.object({ name: FileName, bytes: LimitedBytes })).min(1).max(200),
});
