import { dirname } from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import { UserError } from '../errors';
import { MAX_MODEL_FILE_BYTES, readContainedFile, readRegularFile } from '../fs/contained';
import { parseNode, type TfNode, type TfNodeJson } from './graph';
import { tfjs } from './runtime';

type WeightsManifestEntry = TfCore.io.WeightsManifestEntry;

/** A TF.js graph model: topology, weight specs and the concatenated weight bytes. */
export interface TfjsArtifacts {
  /** Where it came from, for messages. */
  label: string;
  format?: string;
  nodes: TfNodeJson[];
  /** The whole modelTopology (nodes, function library, versions) as TF.js loads it. */
  topology: object;
  signature?: TfSignature;
  weightSpecs: WeightsManifestEntry[];
  weightData: ArrayBuffer;
  /** The model.json text and shard bytes, for content hashing. */
  sources: Uint8Array[];
}

export interface TfSignatureEntry {
  name: string;
  dtype?: string;
  tensorShape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
}

export interface TfSignature {
  inputs?: Record<string, TfSignatureEntry>;
  outputs?: Record<string, TfSignatureEntry>;
}

interface ModelJson {
  format?: string;
  modelTopology?: { node?: TfNodeJson[]; library?: { function?: unknown[] } };
  signature?: TfSignature;
  weightsManifest?: { paths: string[]; weights: WeightsManifestEntry[] }[];
}

/** Reads model.json and its weight shards (paths relative to the JSON file). */
export function readTfjsModel(path: string): TfjsArtifacts {
  const text = readRegularFile(path, path, 64 * 1024 * 1024);
  let json: ModelJson;
  try {
    json = JSON.parse(text.toString('utf8')) as ModelJson;
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!json.modelTopology || !Array.isArray(json.modelTopology.node)) {
    const hint = json.format === 'layers-model' ? ' (a Keras layers model; only TF.js graph models convert)' : '';
    throw new UserError(`${path}: not a TF.js graph model: no modelTopology.node${hint}`);
  }
  if (!Array.isArray(json.weightsManifest)) throw new UserError(`${path}: no weightsManifest`);
  const sources: Uint8Array[] = [text];
  const shards: Uint8Array[] = [];
  let total = 0;
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group?.paths) || !group.paths.every((p) => typeof p === 'string') || !Array.isArray(group.weights)) {
      throw new UserError(`${path}: weightsManifest entries need a list of shard paths and a list of weights`);
    }
    for (const shard of group.paths) {
      // Contained: a manifest may only name shards in its own folder (no '..', absolute paths, symlinks out, devices).
      const bytes = readContainedFile(dirname(path), shard, { label: path, what: 'weight shard' });
      total += bytes.byteLength;
      if (total > MAX_MODEL_FILE_BYTES) throw new UserError(`${path}: the weight shards hold more than ${MAX_MODEL_FILE_BYTES} bytes`);
      shards.push(bytes);
    }
  }
  sources.push(...shards);
  return {
    label: path,
    format: json.format,
    nodes: json.modelTopology.node,
    topology: json.modelTopology,
    signature: json.signature,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: concatenate(shards),
    sources,
  };
}

function concatenate(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

export interface DecodedWeight {
  dtype: 'float32' | 'int32' | 'bool' | 'string';
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array | string[];
}

/**
 * Decodes every weight, de-quantising float16/uint8 exactly as TF.js does (it is TF.js's own
 * decoder), and checks that the shards hold as many bytes as the specs need.
 */
export async function decodeTfjsWeights(artifacts: TfjsArtifacts): Promise<Map<string, DecodedWeight>> {
  const tf = await tfjs();
  let tensors: TfCore.NamedTensorMap;
  try {
    tensors = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  } catch (error) {
    throw new UserError(`${artifacts.label}: cannot decode weights (${(error as Error).message})`);
  }
  const out = new Map<string, DecodedWeight>();
  for (const [name, t] of Object.entries(tensors)) {
    const dtype = t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool' || t.dtype === 'string' ? t.dtype : undefined;
    if (!dtype) throw new UserError(`${artifacts.label}: weight '${name}' has unsupported dtype ${t.dtype}`);
    const values = t.dataSync();
    const data = dtype === 'string' ? (Array.from(values as unknown as Uint8Array[], (v) => Buffer.from(v).toString('utf8'))) : dtype === 'bool' ? Uint8Array.from(values as Uint8Array) : values;
    out.set(name, { dtype, shape: [...t.shape], data: data as DecodedWeight['data'] });
    t.dispose();
  }
  return out;
}

export function parseNodes(artifacts: TfjsArtifacts): TfNode[] {
  return artifacts.nodes.map(parseNode);
}

/** The model as TF.js's own GraphModel (the reference the converter is tested against). */
export async function tfjsGraphModel(artifacts: TfjsArtifacts) {
  await tfjs();
  const { loadGraphModelSync } = await import('@tensorflow/tfjs-converter');
  return loadGraphModelSync({
    modelTopology: artifacts.topology,
    weightSpecs: artifacts.weightSpecs,
    weightData: artifacts.weightData,
    ...(artifacts.signature ? { signature: artifacts.signature } : {}),
    ...(artifacts.format ? { format: artifacts.format } : {}),
  });
}
