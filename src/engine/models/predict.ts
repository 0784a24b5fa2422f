import { firstLine, isUserError, UserError } from '../errors';
import { decodeImage, type RasterImage } from '../image/image';
import { resizeImage, type ResizeTransform } from '../image/resize';
import { imagesToTensor } from '../image/tensorize';
import type { HostTensor } from '../tensor/tensor';
import { rowProbabilities, topK } from './classifier';
import { getDecoder } from './decoders/index';
import type { LoadedModel } from './loaded';
import type { ImagePrediction, OutputSummary } from './types';
import { sharedSessionWorkers } from '../onnx/session-workers/pool';

export interface PredictOptions {
  /** How many classes to report for classifiers. */
  top?: number;
  /** Largest batch to run at once when the model's batch dimension is symbolic. */
  batch?: number;
  /**
   * Run on the session workers (one thread each) instead of one session on all threads, so
   * calls that overlap (webcam frames in flight) use a core each.
   */
  spread?: boolean;
}

/** Models whose sessions the workers hold for `spread` calls, least recently used first. */
const spreadModels = new Map<string, true>();
const SPREAD_MODELS = 3;

function spreadRunner(model: LoadedModel): ((feeds: Record<string, HostTensor>) => Promise<Record<string, HostTensor>>) | undefined {
  const workers = sharedSessionWorkers();
  if (!workers) return undefined;
  const key = `model:${model.hash}`;
  if (spreadModels.has(key)) spreadModels.delete(key);
  else {
    workers.acquire(key, model.bytes, model.label);
    while (spreadModels.size >= SPREAD_MODELS) {
      const oldest = spreadModels.keys().next().value as string;
      spreadModels.delete(oldest);
      workers.release(oldest);
    }
  }
  spreadModels.set(key, true);
  return (feeds) => workers.run(key, feeds, [], true);
}

export interface PreparedImage {
  name: string;
  original: RasterImage;
  resized: RasterImage;
  transform: ResizeTransform;
}

export async function prepareImage(model: LoadedModel, image: RasterImage, name: string): Promise<PreparedImage> {
  const { image: resized, transform } = await resizeImage(image, model.width, model.height, { mode: model.resizeMode });
  return { name, original: image, resized, transform };
}

/** Runs the model on image files and reads its head for each. */
export async function predictFiles(model: LoadedModel, paths: readonly string[], options: PredictOptions = {}): Promise<ImagePrediction[]> {
  const prepared: PreparedImage[] = [];
  for (const path of paths) prepared.push(await prepareImage(model, await decodeImage(path), path));
  return predictPrepared(model, prepared, options);
}

/** One image of a batch that could not be predicted, and why (one line). */
export interface ImageFailure {
  image: string;
  error: string;
}

/** An image that loaded, kept so callers can draw or compare it. */
export interface LoadedImage {
  name: string;
  image: RasterImage;
}

/**
 * Loads and predicts every image it can: an image that cannot be read or has nothing to predict
 * on (a UserError from `load`: undecodable, no face) becomes a failure in its place and the
 * others still run. Errors of the model itself stay fatal: they would fail every image alike.
 */
export async function predictEach(
  model: LoadedModel,
  items: readonly { name: string; load: () => Promise<RasterImage> }[],
  options: PredictOptions = {},
): Promise<{ outcomes: (ImagePrediction | ImageFailure)[]; loaded: (LoadedImage | undefined)[] }> {
  const loaded: (LoadedImage | undefined)[] = [];
  const outcomes: (ImagePrediction | ImageFailure | undefined)[] = [];
  for (const item of items) {
    try {
      loaded.push({ name: item.name, image: await item.load() });
      outcomes.push(undefined);
    } catch (error) {
      if (!isUserError(error)) throw error;
      loaded.push(undefined);
      outcomes.push({ image: item.name, error: firstLine(error) });
    }
  }
  const ok = loaded.filter((l): l is LoadedImage => l !== undefined);
  const predictions = ok.length > 0 ? await predictImages(model, ok, options) : [];
  let next = 0;
  return { outcomes: outcomes.map((o) => o ?? predictions[next++]), loaded };
}

export function isFailure(outcome: ImagePrediction | ImageFailure): outcome is ImageFailure {
  return 'error' in outcome;
}

/** Runs the model on decoded images (e.g. webcam frames). */
export async function predictImages(model: LoadedModel, images: readonly { name: string; image: RasterImage }[], options: PredictOptions = {}): Promise<ImagePrediction[]> {
  const prepared = await Promise.all(images.map((i) => prepareImage(model, i.image, i.name)));
  return predictPrepared(model, prepared, options);
}

export async function predictPrepared(model: LoadedModel, prepared: readonly PreparedImage[], options: PredictOptions = {}): Promise<ImagePrediction[]> {
  const chunk = model.fixedBatch ?? Math.max(1, options.batch ?? 8);
  const spread = options.spread ? spreadRunner(model) : undefined;
  const session = spread ? undefined : await model.session();
  const run = spread ?? ((feeds: Record<string, HostTensor>) => session!.run(feeds));
  const results: ImagePrediction[] = [];
  for (let start = 0; start < prepared.length; start += chunk) {
    const group = prepared.slice(start, start + chunk);
    const images = group.map((p) => p.resized);
    // A graph fixed to batch B > 1 still needs B images; pad with copies and drop their results.
    while (model.fixedBatch && images.length < model.fixedBatch) images.push(images[0]);
    const input = imagesToTensor(images, model.encoding);
    const outputs = await run({ [model.input.name]: input });
    group.forEach((p, i) => results.push(readHead(model, outputs, p, i, options)));
  }
  return results;
}

function readHead(model: LoadedModel, outputs: Record<string, HostTensor>, p: PreparedImage, index: number, options: PredictOptions): ImagePrediction {
  const base: ImagePrediction = { image: p.name, width: p.original.width, height: p.original.height };
  const head = model.head;
  switch (head.kind) {
    case 'classifier': {
      const output = pickOutput(model, outputs, head.output);
      // Class scores are [N, C] (or [N, C, 1, 1]); a spatial map (a segmentation) is summarised instead.
      const spatial = output.dims.slice(1).filter((d) => d > 1).length > 1;
      if (output.dims.length < 2 || output.data.length / (output.dims[0] ?? 1) < 2 || spatial) {
        // A single score with a single label (e.g. "real") reads as that class's probability.
        if (model.labels?.length === 1 && output.data.length === (output.dims[0] ?? 1)) {
          const p = rowProbabilities(output, index, head.activation === 'logits' ? 'sigmoid' : head.activation)[0];
          return { ...base, top: [{ index: 0, label: model.labelOf(0), prob: p }] };
        }
        return { ...base, outputs: summarise(outputs, index) };
      }
      return { ...base, top: topK(rowProbabilities(output, index, head.activation), options.top ?? 5, (i) => model.labelOf(i)) };
    }
    case 'detector': {
      const decoder = getDecoder(head.decoder);
      if (!decoder) throw new UserError(`${model.label}: unknown detector decoder '${head.decoder}'`);
      const decoded = decoder(outputs, { model, index, transform: p.transform, width: p.original.width, height: p.original.height, options: head.options });
      return { ...base, ...decoded };
    }
    case 'embedding': {
      const output = pickOutput(model, outputs, head.output);
      const extras: Record<string, number[]> = {};
      for (const [role, name] of Object.entries(head.extras)) {
        if (outputs[name]) extras[role] = Array.from(row(outputs[name], index));
      }
      return { ...base, embedding: Array.from(row(output, index)), ...(Object.keys(extras).length > 0 ? { extras } : {}) };
    }
    case 'raw':
      return { ...base, outputs: summarise(outputs, index) };
  }
}

function pickOutput(model: LoadedModel, outputs: Record<string, HostTensor>, name?: string): HostTensor {
  if (name) {
    const found = outputs[name];
    if (!found) throw new UserError(`${model.label}: the model has no output named '${name}' (outputs: ${Object.keys(outputs).join(', ')})`);
    return found;
  }
  return Object.values(outputs)[0];
}

/** Row `index` of a batched output as numbers. */
export function row(t: HostTensor, index: number): Float64Array {
  const batch = t.dims[0] ?? 1;
  const per = t.data.length / batch;
  const out = new Float64Array(per);
  for (let i = 0; i < per; i++) out[i] = Number(t.data[index * per + i]);
  return out;
}

function summarise(outputs: Record<string, HostTensor>, index: number): OutputSummary[] {
  return Object.entries(outputs).map(([name, t]) => {
    const values = row(t, index);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    return { name, dims: [1, ...t.dims.slice(1)], min, max, mean: values.length > 0 ? sum / values.length : 0 };
  });
}
