import { z } from 'zod';
import { LimitedBytes } from './bytes';

const Box = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const ImagePrediction = z.object({
  image: z.string(),
  width: z.number(),
  height: z.number(),
  top: z.array(z.object({ index: z.number(), label: z.string(), prob: z.number() })).optional(),
  detections: z.array(z.object({ label: z.string(), classIndex: z.number(), score: z.number(), box: Box })).optional(),
  faces: z
    .array(z.object({ score: z.number(), box: Box, keypoints: z.array(z.object({ name: z.string(), x: z.number(), y: z.number() })) }))
    .optional(),
  embedding: z.array(z.number()).optional(),
  extras: z.record(z.string(), z.array(z.number())).optional(),
  outputs: z.array(z.object({ name: z.string(), dims: z.array(z.number()), min: z.number(), max: z.number(), mean: z.number() })).optional(),
});
export type ImagePrediction = z.infer<typeof ImagePrediction>;

export const PredictFrameParams = z.object({
  model: z.string().min(1),
  /** An encoded frame (JPEG or PNG), already downscaled near the model's input size. */
  image: LimitedBytes,
  top: z.number().int().min(1).max(20).default(5),
  /** Also run this face detector on the same frame (for placing glasses on the eyes). */
  faces: z.string().optional(),
});
export type PredictFrameParams = z.input<typeof PredictFrameParams>;

export const PredictFrameResult = z.object({
  prediction: ImagePrediction,
  faces: ImagePrediction.optional(),
  /** Milliseconds spent in the engine: decoding, inference, whole call. */
  timing: z.object({ decodeMs: z.number(), inferMs: z.number(), totalMs: z.number() }),
});
export type PredictFrameResult = z.infer<typeof PredictFrameResult>;
