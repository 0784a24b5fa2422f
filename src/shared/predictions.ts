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
  /** The frame, already downscaled near the model's input size: JPEG/PNG bytes, or raw pixels when `raw` is given. */
  image: LimitedBytes,
  /** Set when `image` holds raw 8-bit interleaved pixels (what a canvas gives): no encode or decode on the webcam path. */
  raw: z.object({ width: z.number().int().min(1).max(8192), height: z.number().int().min(1).max(8192), channels: z.union([z.literal(3), z.literal(4)]) }).optional(),
  top: z.number().int().min(1).max(20).default(5),
  /** Also run this face detector on the same frame (for placing glasses on the eyes). */
  faces: z.string().optional(),
});
export type PredictFrameParams = z.input<typeof PredictFrameParams>;

/** Raw frames must hold exactly width x height x channels bytes. */
export function rawFrameSizeError(p: { image: Uint8Array; raw?: { width: number; height: number; channels: number } }): string | undefined {
  if (!p.raw) return undefined;
  const expected = p.raw.width * p.raw.height * p.raw.channels;
  return p.image.byteLength === expected ? undefined : `frame: ${p.raw.width}x${p.raw.height}x${p.raw.channels} pixels need ${expected} bytes, got ${p.image.byteLength}`;
}

export const PredictFrameResult = z.object({
  prediction: ImagePrediction,
  faces: ImagePrediction.optional(),
  /** Milliseconds spent in the engine: decoding, inference, whole call. */
  timing: z.object({ decodeMs: z.number(), inferMs: z.number(), totalMs: z.number() }),
});
export type PredictFrameResult = z.infer<typeof PredictFrameResult>;
