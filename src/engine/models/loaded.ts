import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../errors';
import type { PixelEncoding } from '../image/tensorize';
import type { Model, ValueInfo } from '../onnx/ir';
import { readModel } from '../onnx/read';
import { cutBeforeNms, hasNms, probeInputShapes } from '../onnx/cut';
import { writeModel } from '../onnx/write';
import { cachedSession, modelHash, type Session, type SessionOptions } from '../onnx/session';
import { formatShape } from '../tensor/tensor';
import { guessHeadOfGraph } from './detect-head';
import type { Head, InputSpec, Manifest } from './manifest';
import { resolveModelRef, type ModelEntry } from './registry';
import { loadModelBytes, sourcePath, type ProgressReporter } from './sources';

/** What command-line flags may change about how a model is fed and read. */
export interface ModelOverrides {
  width?: number;
  height?: number;
  layout?: 'NCHW' | 'NHWC';
  range?: [number, number];
  mean?: [number, number, number];
  std?: [number, number, number];
  channelOrder?: 'RGB' | 'BGR';
  resize?: 'stretch' | 'letterbox';
  labels?: string[];
  head?: Head;
}

/** A model ready to run: ONNX bytes, manifest, resolved input geometry and encoding. */
export class LoadedModel {
  private irCache?: Model;
  readonly name: string;
  readonly hash: string;
  readonly label: string;
  readonly input: ValueInfo;
  readonly width: number;
  readonly height: number;
  readonly encoding: PixelEncoding;
  readonly head: Head;
  readonly resizeMode: 'stretch' | 'letterbox';
  /** The batch size the graph is fixed to, or undefined when the batch dimension is symbolic. */
  readonly fixedBatch?: number;
  readonly labels?: string[];

  constructor(
    readonly entry: ModelEntry,
    readonly bytes: Uint8Array,
    overrides: ModelOverrides = {},
  ) {
    const manifest = entry.manifest;
    this.name = manifest.name;
    this.label = entry.origin === 'file' ? sourcePath(entry) : manifest.name;
    this.hash = modelHash(bytes);
    const graph = this.ir().graph;
    this.input = pickInput(graph.inputs, graph.initializers, manifest.input.name, this.label);
    const spec: InputSpec = { ...manifest.input, ...definedOnly(overrides) };
    const shape = this.input.shape ?? [];
    if (shape.length !== 4) {
      throw new UserError(`${this.label}: input '${this.input.name}' has shape ${formatShape(shape)}; patchlab feeds images as 4-D [N,C,H,W] or [N,H,W,C]`);
    }
    const layout = overrides.layout ?? (entry.origin === 'file' && manifest.input.layout === 'NCHW' ? guessLayout(shape) : spec.layout);
    const channelDim = layout === 'NCHW' ? shape[1] : shape[3];
    if (typeof channelDim === 'number' && channelDim !== 3) {
      const hint = channelDim === 1 ? 'a grey model: convert it with `patchlab convert MODEL.json --gray` and use the .onnx' : `try --layout ${layout === 'NCHW' ? 'NHWC' : 'NCHW'}`;
      throw new UserError(`${this.label}: input '${this.input.name}' ${formatShape(shape)} has ${channelDim} channels in ${layout} layout; patchlab feeds RGB (${hint})`);
    }
    const [hDim, wDim] = layout === 'NCHW' ? [shape[2], shape[3]] : [shape[1], shape[2]];
    const width = overrides.width ?? manifest.input.width ?? (typeof wDim === 'number' ? wDim : undefined);
    const height = overrides.height ?? manifest.input.height ?? (typeof hDim === 'number' ? hDim : undefined);
    if (!width || !height) {
      throw new UserError(`${this.label}: input '${this.input.name}' ${formatShape(shape)} has no fixed size; pass --size WxH`);
    }
    if ((typeof wDim === 'number' && wDim !== width) || (typeof hDim === 'number' && hDim !== height)) {
      throw new UserError(`${this.label}: input '${this.input.name}' expects ${wDim}x${hDim} images, --size asked for ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.resizeMode = spec.resize;
    this.encoding = { layout, range: spec.range, mean: spec.mean, std: spec.std, channelOrder: spec.channelOrder };
    this.head = overrides.head ?? (entry.origin === 'file' ? { kind: 'classifier', activation: 'auto' } : manifest.head);
    this.fixedBatch = typeof shape[0] === 'number' ? shape[0] : undefined;
    this.labels = overrides.labels ?? readLabels(entry);
  }

  get manifest(): Manifest {
    return this.entry.manifest;
  }


  /** The decoded graph, parsed on first use. */
  ir(): Model {
    this.irCache ??= readModel(this.bytes, { label: this.label, baseDir: this.entry.dir });
    return this.irCache;
  }

  /** Input dims for a batch in this model's layout. */
  inputDims(batch: number): number[] {
    return this.encoding.layout === 'NCHW' ? [batch, 3, this.height, this.width] : [batch, this.height, this.width, 3];
  }

  session(options: SessionOptions = {}): Promise<Session> {
    return cachedSession(this.bytes, { label: this.label, ...options }, this.hash);
  }

  labelOf(index: number): string {
    return this.labels?.[index] ?? String(index);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function pickInput(inputs: ValueInfo[], initializers: Map<string, unknown>, wanted: string | undefined, label: string): ValueInfo {
  const real = inputs.filter((i) => !initializers.has(i.name));
  if (wanted) {
    const found = real.find((i) => i.name === wanted);
    if (!found) throw new UserError(`${label}: the model has no input named '${wanted}' (inputs: ${real.map((i) => i.name).join(', ')})`);
    return found;
  }
  if (real.length === 0) throw new UserError(`${label}: the model has no inputs`);
  return real[0];
}

function guessLayout(shape: (number | string | null)[]): 'NCHW' | 'NHWC' {
  return shape[1] !== 3 && shape[3] === 3 ? 'NHWC' : 'NCHW';
}

function readLabels(entry: ModelEntry): string[] | undefined {
  const labels = entry.manifest.labels;
  if (!labels) return undefined;
  if (Array.isArray(labels)) return labels;
  const path = isAbsolute(labels.file) ? labels.file : join(entry.dir, labels.file);
  return readLabelsFile(path);
}

export function readLabelsFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`${path}: no such labels file`);
  }
  if (path.toLowerCase().endsWith('.json')) {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((l) => typeof l === 'string')) return parsed;
    throw new UserError(`${path}: a JSON labels file must be an array of strings`);
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}

const loadedCache = new Map<string, LoadedModel>();

/** Loads a model by registry name or path; repeated loads with the same overrides are shared. */
export async function loadModel(ref: string, overrides: ModelOverrides = {}, progress?: ProgressReporter): Promise<LoadedModel> {
  const entry = resolveModelRef(ref);
  const key = JSON.stringify([entry.origin, entry.dir, entry.manifest, overrides]);
  const cached = loadedCache.get(key);
  if (cached) return cached;
  let bytes = await loadModelBytes(entry, progress);
  // A bare .onnx export with NMS inside is read before its NMS (`models import` records the cut).
  let head = overrides.head;
  if (entry.origin === 'file' && entry.manifest.source.kind === 'onnx') {
    const path = sourcePath(entry);
    // Read once, with its folder, so external data resolves (and stays contained) as it does for ORT.
    const ir = readModel(bytes, { label: path, baseDir: dirname(resolve(path)) });
    const cut = hasNms(ir) ? await cutBeforeNms(ir, probeInputShapes(ir, path), path) : undefined;
    if (cut) {
      progress?.(cut.message);
      bytes = writeModel(cut.model);
    }
    // A bare .onnx file has no manifest: detector layouts are recognised from the output shapes.
    head ??= (await guessHeadOfGraph(cut?.model ?? ir, path))?.head;
  }
  const model = new LoadedModel(entry, bytes, { ...overrides, ...(head ? { head } : {}) });
  if (loadedCache.size >= 4) loadedCache.delete(loadedCache.keys().next().value as string);
  loadedCache.set(key, model);
  return model;
}

