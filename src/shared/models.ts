import { z } from 'zod';
import { FileName, LimitedBytes, Slug } from './bytes';

const Triple = z.tuple([z.number(), z.number(), z.number()]);
const Dim = z.union([z.number(), z.string(), z.null()]);

export const ModelSummary = z.object({
  name: z.string(),
  title: z.string().optional(),
  origin: z.enum(['builtin', 'user', 'file']),
  task: z.string().optional(),
  format: z.enum(['onnx', 'tfjs']),
  head: z.enum(['classifier', 'detector', 'embedding', 'raw']),
  width: z.number().optional(),
  height: z.number().optional(),
  /** How images are fitted to the input: stretched, or letterboxed (aspect kept). */
  resize: z.enum(['stretch', 'letterbox']),
  license: z.string().optional(),
  description: z.string().optional(),
});
export type ModelSummary = z.infer<typeof ModelSummary>;

const IoSpec = z.object({ name: z.string(), type: z.string().optional(), shape: z.array(Dim) });

export const ModelInfo = z.object({
  name: z.string(),
  origin: z.string(),
  task: z.string().optional(),
  source: z.string(),
  fileBytes: z.number(),
  sha256: z.string(),
  producer: z.string(),
  irVersion: z.number(),
  opset: z.number(),
  inputs: z.array(IoSpec),
  outputs: z.array(IoSpec),
  nodes: z.number(),
  ops: z.record(z.string(), z.number()),
  parameters: z.number(),
  head: z.object({ kind: z.string() }).loose(),
  input: z.object({
    width: z.number(),
    height: z.number(),
    layout: z.string(),
    range: z.tuple([z.number(), z.number()]),
    mean: z.array(z.number()),
    std: z.array(z.number()),
    channelOrder: z.string(),
  }),
  labels: z.number().optional(),
  /** The class names, for pickers (a target class). */
  labelNames: z.array(z.string()).optional(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

/** The head form of the import dialog: how to read the model's outputs. */
export const ImportHead = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('classifier'), output: z.string().optional(), activation: z.enum(['logits', 'probabilities', 'sigmoid', 'auto']).default('logits') }),
  z.object({ kind: z.literal('embedding'), output: z.string().optional() }),
  z.object({ kind: z.literal('raw') }),
  /** A detector: `decoder` names the head (yolo-v5, yolo-v8, ssd, detr...); absent, the layout is guessed from the output shapes. */
  z.object({ kind: z.literal('detector'), decoder: z.string().min(1).optional() }),
]);

export const ImportModelParams = z.object({
  name: Slug,
  format: z.enum(['onnx', 'tfjs']),
  /** ONNX: one .onnx file. TF.js: model.json and its weight shards. */
  files: z.array(z.object({ name: FileName, bytes: LimitedBytes })).min(1).max(64),
  head: ImportHead,
  input: z
    .object({
      width: z.number().int().positive().optional(),
      height: z.number().int().positive().optional(),
      layout: z.enum(['NCHW', 'NHWC']).optional(),
      range: z.tuple([z.number(), z.number()]).optional(),
      mean: Triple.optional(),
      std: Triple.optional(),
      channelOrder: z.enum(['RGB', 'BGR']).optional(),
      resize: z.enum(['stretch', 'letterbox']).optional(),
    })
    .default({}),
  labels: z.array(z.string()).optional(),
  force: z.boolean().default(false),
});
export type ImportModelParams = z.input<typeof ImportModelParams>;
