import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors';
import { firstIssue } from '../../shared/zod-issue';

const Triple = z.tuple([z.number(), z.number(), z.number()]);

export const InputSpecSchema = z.object({
  /** The model input to feed; the first non-initializer input when absent. */
  name: z.string().optional(),
  layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
  /** Fixed input size; taken from the model's static input shape when absent. */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  resize: z.enum(['stretch', 'letterbox']).default('stretch'),
  /** Pixel values the model expects before mean/std, e.g. [0,1] or [0,255] or [-1,1]. */
  range: z.tuple([z.number(), z.number()]).default([0, 1]),
  mean: Triple.default([0, 0, 0]),
  std: Triple.default([1, 1, 1]),
  channelOrder: z.enum(['RGB', 'BGR']).default('RGB'),
});

const ClassifierHead = z.object({
  kind: z.literal('classifier'),
  /** Output holding class scores [N, C]; the first output when absent. */
  output: z.string().optional(),
  /** What the output holds; `auto` inspects the values (rows summing to 1 are probabilities). */
  activation: z.enum(['logits', 'probabilities', 'sigmoid', 'auto']).default('logits'),
});

const DetectorHead = z.object({
  kind: z.literal('detector'),
  /** A decoder registered in src/engine/models/decoders. */
  decoder: z.string(),
  /** Roles the decoder needs mapped to output names, e.g. { heatmap: "...", boxes: "..." }. */
  outputs: z.record(z.string(), z.string()).default({}),
  options: z.record(z.string(), z.unknown()).default({}),
});

const EmbeddingHead = z.object({
  kind: z.literal('embedding'),
  output: z.string().optional(),
  /** Cosine similarity at or above which two embeddings are the same identity. */
  threshold: z.number().optional(),
  /** Other named outputs worth reporting (e.g. age, gender). */
  extras: z.record(z.string(), z.string()).default({}),
});

const RawHead = z.object({ kind: z.literal('raw') });

export const HeadSchema = z.discriminatedUnion('kind', [ClassifierHead, DetectorHead, EmbeddingHead, RawHead]);

export const SourceSchema = z.discriminatedUnion('kind', [
  /** `file` is relative to the manifest's folder, or absolute. */
  z.object({ kind: z.literal('onnx'), file: z.string() }),
  /**
   * A TF.js graph model. `file` is relative to the manifest's folder or, with `package`,
   * to that npm package's folder. `outputs` cuts the graph at these TF node names.
   */
  z.object({
    kind: z.literal('tfjs'),
    package: z.string().optional(),
    file: z.string(),
    outputs: z.array(z.string()).optional(),
    /** Input-side cuts: graph tensors fed as inputs (their TF NHWC shapes), e.g. after a preprocessing loop. */
    inputs: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().positive()) })).optional(),
    /** Feed a single-channel (grey) model with RGB: grey = weights . rgb + bias, inside the graph. */
    rgbToGray: z.object({ weights: Triple, bias: z.number().default(0) }).optional(),
    /** Leave the batch dimension free where model.json fixes it (to 1), so attacks run a batch of views in one pass. */
    freeBatch: z.boolean().optional(),
    /**
     * The TF graph's image input is already channels-first (graphs exported through onnx-tf, e.g.
     * nanodet's [1, 3, 416, 416]): fed as is, not transposed from NHWC.
     */
    channelsFirst: z.boolean().optional(),
  }),
]);

export const ManifestSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore only'),
  title: z.string().optional(),
  task: z.string().optional(),
  description: z.string().optional(),
  license: z.string().optional(),
  origin: z.string().optional(),
  source: SourceSchema,
  input: InputSpecSchema.default(InputSpecSchema.parse({})),
  labels: z.union([z.array(z.string()), z.object({ file: z.string() })]).optional(),
  head: HeadSchema.default({ kind: 'classifier', activation: 'auto' }),
  /** Differentiable outputs attack losses use, by role (e.g. { heatmap: "...", embedding: "..." }). */
  attack: z.object({ outputs: z.record(z.string(), z.string()) }).optional(),
});

export type Manifest = z.infer<typeof ManifestSchema>;
export type InputSpec = z.infer<typeof InputSpecSchema>;
export type Head = z.infer<typeof HeadSchema>;
export type ManifestInput = z.input<typeof ManifestSchema>;

export function parseManifest(value: unknown, label: string): Manifest {
  const result = ManifestSchema.safeParse(value);
  if (!result.success) {
    throw new UserError(`${label}: invalid model manifest: ${firstIssue(result.error, 'manifest')}`);
  }
  return result.data;
}

export function readManifest(path: string): Manifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`${path}: no such file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseManifest(json, path);
}
