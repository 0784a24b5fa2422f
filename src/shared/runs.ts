import { z } from 'zod';
import { FileName, Slug } from './bytes';

export const RunSummary = z.object({
  id: Slug,
  dir: z.string(),
  model: z.string().optional(),
  attack: z.string().optional(),
  goal: z.string().optional(),
  createdAt: z.string().optional(),
  /** running, paused, done... as the run store last wrote it. */
  status: z.string().optional(),
  steps: z.number().optional(),
  stepsDone: z.number().optional(),
  files: z.array(z.string()),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const ReadArtifactParams = z.object({
  run: Slug,
  file: FileName,
  /** A universal digital run keeps its images' files in these subfolders. */
  folder: z.enum(['train', 'heldout']).optional(),
});
