import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import ort from 'onnxruntime-node';
import { UserError, firstLine } from '../errors';
import type { DataType, HostTensor, NumericArray } from '../tensor/tensor';
import { formatShape } from '../tensor/tensor';
import { currentDevice, providerLoadError, providersFor } from './device';
import type { Dim } from './ir';

export interface SessionOptions {
  /** Intra-op threads; all cores by default. */
  threads?: number;
  /** Fixes symbolic dimensions (e.g. `{ batch: 8 }`) so ORT plans memory for one shape. */
  freeDimensions?: Record<string, number>;
  /** ORT graph optimisation; 'all' unless a test needs the graph as written. */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Execution providers in preference order; when absent, the current device's (see device.ts; CPU by default). */
  executionProviders?: string[];
  /** Name used in error messages (a file path or model name). */
  label?: string;
  /**
   * Let idle intra-op threads spin. Off by default: when any other process holds a core (the UI,
   * the server, a second job), a spinning pool fights it — centernet's forward took 192 ms
   * spinning vs 112 ms not, on 2 threads beside one busy process. PATCHLAB_ORT_SPIN=1 turns it on.
   */
  spinning?: boolean;
}

export interface IoInfo {
  name: string;
  type: DataType | 'unknown';
  shape: Dim[];
}

/** One loaded onnxruntime session with typed-array inputs and outputs. */
export class Session {
  readonly inputs: IoInfo[];
  readonly outputs: IoInfo[];

  constructor(
    private readonly ortSession: ort.InferenceSession,
    readonly label: string,
    readonly threads: number,
    /** The execution providers it was created with, in preference order. */
    readonly providers: readonly string[] = ['cpu'],
  ) {
    this.inputs = ortSession.inputMetadata.map(ioInfo);
    this.outputs = ortSession.outputMetadata.map(ioInfo);
  }

  /** Runs the graph; `fetch` limits which outputs are computed (all by default). */
  async run(feeds: Record<string, HostTensor>, fetch?: readonly string[]): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const info of this.inputs) {
      const value = feeds[info.name];
      if (!value) throw new UserError(`${this.label}: missing input '${info.name}' ${formatShape(info.shape)}`);
      checkShape(this.label, info, value.dims);
      ortFeeds[info.name] = new ort.Tensor(value.type as ort.Tensor.Type, value.data as ort.Tensor.DataType, value.dims);
    }
    let result: ort.InferenceSession.ReturnType;
    try {
      result = fetch ? await this.ortSession.run(ortFeeds, [...fetch]) : await this.ortSession.run(ortFeeds);
    } catch (error) {
      throw new Error(`${this.label}: onnxruntime failed: ${firstLine(error)}`, { cause: error });
    }
    const out: Record<string, HostTensor> = {};
    for (const [name, tensor] of Object.entries(result)) {
      out[name] = { type: tensor.type as DataType, dims: [...tensor.dims], data: tensor.data as NumericArray };
    }
    return out;
  }

  async release(): Promise<void> {
    await this.ortSession.release();
  }
}

function ioInfo(meta: ort.InferenceSession.ValueMetadata): IoInfo {
  if (!meta.isTensor) return { name: meta.name, type: 'unknown', shape: [] };
  return {
    name: meta.name,
    type: meta.type as DataType,
    shape: meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : typeof d === 'string' ? d : null)),
  };
}

function checkShape(label: string, info: IoInfo, dims: readonly number[]): void {
  const ok = dims.length === info.shape.length && info.shape.every((d, i) => typeof d !== 'number' || d === dims[i]);
  if (!ok) {
    throw new UserError(`${label}: input '${info.name}' expects shape ${formatShape(info.shape)}, got ${formatShape(dims)}`);
  }
}

function spinningAllowed(options: SessionOptions): boolean {
  return options.spinning ?? process.env.PATCHLAB_ORT_SPIN === '1';
}

let threadsOverride: number | undefined;

/** Threads of sessions created without an explicit count (a command's --threads); undefined: all cores. */
export function setDefaultThreads(threads: number | undefined): void {
  threadsOverride = threads;
}

export function defaultThreads(): number {
  return threadsOverride ?? availableParallelism();
}

/** Creates a session from ONNX bytes. Prefer `cachedSession` in loops. */
export async function createSession(model: Uint8Array, options: SessionOptions = {}): Promise<Session> {
  const threads = options.threads ?? defaultThreads();
  const label = options.label ?? 'model';
  const settings = (executionProviders: string[], logSeverityLevel: 3 | 4 = 3): ort.InferenceSession.SessionOptions => ({
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: options.optimization ?? 'all',
    executionProviders: executionProviders as ort.InferenceSession.ExecutionProviderConfig[],
    freeDimensionOverrides: options.freeDimensions,
    logSeverityLevel,
    extra: { session: { intra_op: { allow_spinning: spinningAllowed(options) ? '1' : '0' } } },
  });
  const device = currentDevice();
  const providers =
    options.executionProviders ??
    (await providersFor(device, async (candidate) => {
      // Quiet: a provider auto skips (no driver, no CUDA libraries) is expected, not an error.
      await (await ort.InferenceSession.create(model, settings(candidate, 4))).release();
    }));
  try {
    const session = await ort.InferenceSession.create(model, settings(providers));
    return new Session(session, label, threads, providers);
  } catch (error) {
    if (!options.executionProviders && providers[0] !== 'cpu' && !isModelError(error)) throw providerLoadError(device, label, error);
    throw new UserError(`${label}: onnxruntime cannot load the model (${firstLine(error)})`, { cause: error });
  }
}

/** Errors about the graph itself, not about loading an execution provider. */
function isModelError(error: unknown): boolean {
  return /Load model|protobuf|INVALID_GRAPH|INVALID_PROTOBUF|Type Error|ShapeInferenceError|NOT_IMPLEMENTED/i.test(firstLine(error));
}

/**
 * The one session cache: every onnxruntime session made from model bytes lives here, keyed by
 * content hash and options, shared by every caller asking for the same. Two ways in:
 * `cachedSession` (models run forward: kept, the least recently used released beyond the limit)
 * and `leaseSession` (gradient graphs, large: counted, released when the last lease is given
 * back, never evicted while leased; eviction by age could free a session an optimisation loop
 * still holds).
 */
interface CacheEntry {
  promise: Promise<Session>;
  lastUsed: number;
  /** Leases outstanding; an entry with leases is never evicted. */
  leases: number;
  /** Also asked for through cachedSession: stays (LRU) after its last lease. */
  cached: boolean;
}

const cache = new Map<string, CacheEntry>();
let cacheLimit = 8;

/** How many unleased sessions stay loaded; the least recently used is released beyond it. */
export function setSessionCacheLimit(limit: number): void {
  cacheLimit = Math.max(1, limit);
}

export function modelHash(model: Uint8Array): string {
  return createHash('sha256').update(model).digest('hex');
}

function entryFor(key: string, create: () => Promise<Session>): CacheEntry {
  let entry = cache.get(key);
  if (!entry) {
    const promise = create();
    const created: CacheEntry = { promise, lastUsed: performance.now(), leases: 0, cached: false };
    cache.set(key, created);
    promise.catch(() => {
      if (cache.get(key) === created) cache.delete(key);
    });
    entry = created;
  }
  entry.lastUsed = performance.now();
  return entry;
}

/**
 * A session shared by every caller asking for the same model bytes and options, so an attack
 * loop or a webcam stream never pays for session creation twice.
 */
export async function cachedSession(model: Uint8Array, options: SessionOptions = {}, hash = modelHash(model)): Promise<Session> {
  const key = JSON.stringify([hash, options.threads ?? defaultThreads(), options.freeDimensions ?? {}, options.optimization ?? 'all', options.executionProviders ?? currentDevice(), spinningAllowed(options)]);
  const entry = entryFor(key, () => createSession(model, options));
  entry.cached = true;
  await evictBeyondLimit();
  return entry.promise;
}

/** A shared onnxruntime session and the way to give it back. */
export interface Lease {
  session: Promise<Session>;
  release(): Promise<void>;
}

/** A session held until `release`: shared by every lease of the same key, released with the last one. */
export function leaseSession(key: string, bytes: () => Promise<Uint8Array>, options: SessionOptions): Lease {
  const held = entryFor(`lease:${key}`, () => bytes().then((b) => createSession(b, options)));
  held.leases++;
  let released = false;
  return {
    session: held.promise,
    async release() {
      if (released) return;
      released = true;
      held.leases--;
      if (held.leases > 0 || held.cached || cache.get(`lease:${key}`) !== held) return;
      cache.delete(`lease:${key}`);
      await held.promise.then((s) => s.release()).catch(() => undefined);
    },
  };
}

async function evictBeyondLimit(): Promise<void> {
  for (;;) {
    const unleased = [...cache.entries()].filter(([, e]) => e.leases === 0);
    if (unleased.length <= cacheLimit) return;
    const [oldestKey, oldest] = unleased.reduce((a, b) => (a[1].lastUsed <= b[1].lastUsed ? a : b));
    cache.delete(oldestKey);
    await oldest.promise.then((s) => s.release()).catch(() => undefined);
  }
}

/** Sessions kept for cachedSession callers and not leased. */
export function sessionCacheSize(): number {
  return [...cache.values()].filter((e) => e.leases === 0).length;
}

/** Sessions held by leases. */
export function leasedSessionCount(): number {
  return [...cache.values()].filter((e) => e.leases > 0).length;
}

/** Releases every session no lease holds (a device change; tests). */
export async function clearSessionCache(): Promise<void> {
  const entries = [...cache.entries()].filter(([, e]) => e.leases === 0);
  for (const [key] of entries) cache.delete(key);
  await Promise.all(entries.map(([, e]) => e.promise.then((s) => s.release()).catch(() => undefined)));
}
