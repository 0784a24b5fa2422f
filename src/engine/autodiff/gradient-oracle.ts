import { UserError } from '../errors';
import type { LoadedModel } from '../models/loaded';
import { defaultThreads, leaseSession, modelHash, type Lease } from '../onnx/session';
import { writeModel } from '../onnx/write';
import type { FloatTensor, HostTensor } from '../tensor/tensor';
import { formatShape, int64Tensor } from '../tensor/tensor';
import { buildGradientGraph, type GradientGraph } from './gradient-graph';
import type { LoweringOptions } from './lowering/options';
import { upgradeOpset } from './opset';
import type { GradientOracle, GradientResult, LossArgs, LossSpec } from './oracle';
import { pixelForwardModel } from './pixel-space';
import { sharedSessionWorkers, type SessionWorkers } from '../onnx/session-workers/pool';
import { mergeGradientResults, rows, sliceArgs, splitRows } from './batch-rows';

export interface GradientOracleOptions {
  /** Model values returned with every gradient (graph outputs or intermediates). */
  outputs?: string[];
  /** Batch size to build for ahead of the first call; other sizes are built when first seen. */
  batch?: number;
  /** onnxruntime intra-op threads; all cores by default. */
  threads?: number;
  /** Backward-pass forms (benchmarks compare them); the measured-fastest by default. */
  lowering?: Partial<LoweringOptions>;
  /**
   * Session workers that gradient runs are spread over, one row range per worker (default: the
   * process's, when `threads` is 2 or more); null keeps every run on one multi-threaded session.
   */
  workers?: SessionWorkers | null;
}

interface Built {
  graph: GradientGraph;
  bytes: Uint8Array;
  hash: string;
}

const MAX_BUILT = 6;
const builtGraphs = new Map<string, Promise<Built>>();

/** Built gradient graphs, shared between oracles and kept after they are disposed (building costs seconds). */
function builtGraph(key: string, build: () => Promise<Built>): Promise<Built> {
  let entry = builtGraphs.get(key);
  if (entry) {
    builtGraphs.delete(key);
    builtGraphs.set(key, entry);
    return entry;
  }
  entry = build();
  builtGraphs.set(key, entry);
  entry.catch(() => builtGraphs.delete(key));
  while (builtGraphs.size > MAX_BUILT) builtGraphs.delete(builtGraphs.keys().next().value as string);
  return entry;
}

/** Drops every cached gradient graph (tests; memory pressure). */
export function clearGradientGraphCache(): void {
  builtGraphs.clear();
}

/**
 * The gradient oracle of `oracle.ts` for a loaded model: one onnxruntime session per batch size
 * runs pixel encoding, model, loss head and backward pass together. Graphs and sessions are
 * shared by every oracle created for the same model, loss, outputs and batch size.
 */
export function createGradientOracle(model: LoadedModel, loss: LossSpec, options: GradientOracleOptions = {}): PreparedGradientOracle {
  return new PreparedGradientOracle(model, resolveLoss(model, loss), options);
}

export class PreparedGradientOracle implements GradientOracle {
  readonly width: number;
  readonly height: number;
  private readonly threads: number;
  private readonly gradientLeases = new Map<number, Lease>();
  private readonly forwardLeases = new Map<number, Lease>();
  private forwardInput?: string;
  private disposed = false;
  private readonly workers: SessionWorkers | undefined;
  /** Graphs this oracle registered with the workers, released on dispose. */
  private readonly workerKeys = new Set<string>();

  constructor(
    private readonly model: LoadedModel,
    readonly loss: LossSpec,
    private readonly options: GradientOracleOptions,
  ) {
    this.width = model.width;
    this.height = model.height;
    this.threads = options.threads ?? defaultThreads();
    this.workers = options.workers === undefined ? (this.threads >= 2 ? sharedSessionWorkers() : undefined) : (options.workers ?? undefined);
    if (options.batch) this.prepare(options.batch).catch(() => undefined);
  }

  get concurrency(): number {
    return this.workers?.size ?? 1;
  }

  /** Builds (or fetches) the gradient graph and session for a batch size. */
  async prepare(batch: number): Promise<GradientGraph> {
    if (this.workers) {
      const graphs = await Promise.all(this.pieces(batch).map(([, count]) => this.built(count)));
      return graphs[0].graph;
    }
    const built = await this.built(batch);
    await this.gradientLease(batch, built).session;
    return built.graph;
  }

  async forward(pixels: FloatTensor): Promise<Record<string, FloatTensor>> {
    const batch = this.checkPixels(pixels);
    const session = await this.forwardLease(batch).session;
    const result = await session.run({ [this.forwardInput!]: pixels });
    return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, asFloat(v)]));
  }

  async gradient(pixels: FloatTensor, args: LossArgs = {}): Promise<GradientResult> {
    const batch = this.checkPixels(pixels);
    const workers = this.workers;
    if (!workers) {
      const built = await this.built(batch);
      const session = await this.gradientLease(batch, built).session;
      const g = built.graph;
      return this.result(g, await session.run({ [g.input]: pixels, ...this.lossFeeds(g, batch, args) }, [g.loss, g.lossMean, g.grad, ...g.outputs]));
    }
    const pieces = this.pieces(batch);
    // Pieces are copies and may be moved to the workers; a whole batch is the caller's and is copied.
    const whole = pieces.length === 1;
    // Argument errors name the caller's batch, not a piece's.
    if (!whole) this.lossFeeds((await this.built(pieces[0][1])).graph, batch, args);
    const parts = await Promise.all(
      pieces.map(async ([start, count]) => {
        const built = await this.built(count);
        const g = built.graph;
        const key = `gradient:${built.hash}`;
        if (!this.workerKeys.has(key)) {
          this.checkLive();
          workers.acquire(key, built.bytes, `${this.model.label} (gradient)`);
          this.workerKeys.add(key);
        }
        const feeds = { [g.input]: whole ? pixels : rows(pixels, start, count), ...this.lossFeeds(g, count, whole ? args : sliceArgs(args, start, count)) };
        return this.result(g, await workers.run(key, feeds, [g.loss, g.lossMean, g.grad, ...g.outputs], !whole));
      }),
    );
    return whole ? parts[0] : mergeGradientResults(parts);
  }

  /** Row ranges of a batch, one per session worker (a fixed-batch graph takes its batch whole). */
  private pieces(batch: number): [number, number][] {
    if (!this.workers || this.model.fixedBatch !== undefined) return [[0, batch]];
    return splitRows(batch, this.workers.size);
  }

  private result(g: GradientGraph, result: Record<string, HostTensor>): GradientResult {
    const lossValues = result[g.loss].data as Float32Array;
    return {
      loss: lossValues,
      meanLoss: (result[g.lossMean].data as Float32Array)[0],
      outputs: Object.fromEntries(g.outputs.map((o) => [o, asFloat(result[o])])),
      grad: result[g.grad] as FloatTensor,
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const key of this.workerKeys) this.workers?.release(key);
    this.workerKeys.clear();
    const leases = [...this.gradientLeases.values(), ...this.forwardLeases.values()];
    this.gradientLeases.clear();
    this.forwardLeases.clear();
    await Promise.all(leases.map((l) => l.release()));
  }

  private built(batch: number): Promise<Built> {
    const model = this.model;
    const key = JSON.stringify([model.hash, model.input.name, model.encoding, model.width, model.height, this.loss, this.options.outputs ?? [], this.options.lowering ?? {}, batch]);
    return builtGraph(key, async () => {
      const graph = await buildGradientGraph(model.ir(), {
        input: model.input.name,
        batch,
        loss: this.loss,
        outputs: this.options.outputs,
        pixels: { encoding: model.encoding, height: model.height, width: model.width },
        probabilities: model.head.kind === 'classifier' && model.head.activation === 'probabilities',
        lowering: this.options.lowering,
        label: model.label,
      });
      if (graph.extraInputs.length > 0) {
        throw new UserError(`${model.label}: the gradient oracle feeds one image input; the model also needs ${graph.extraInputs.map((i) => `'${i.name}'`).join(', ')}`);
      }
      const bytes = writeModel(graph.model);
      return { graph, bytes, hash: modelHash(bytes) };
    });
  }

  private gradientLease(batch: number, built: Built): Lease {
    this.checkLive();
    let lease = this.gradientLeases.get(batch);
    if (!lease) {
      lease = leaseSession(`gradient:${built.hash}:${this.threads}`, async () => built.bytes, { threads: this.threads, label: `${this.model.label} (gradient)` });
      this.gradientLeases.set(batch, lease);
    }
    return lease;
  }

  private forwardLease(batch: number): Lease {
    this.checkLive();
    let lease = this.forwardLeases.get(batch);
    if (!lease) {
      const model = this.model;
      const { model: forward, input } = pixelForwardModel(upgradeOpset(model.ir(), model.label), model.input.name, model.encoding, model.height, model.width, this.options.outputs);
      this.forwardInput = input;
      const bytes = writeModel(forward);
      // freeDimensions fixes the batch so onnxruntime plans its memory once for this size.
      lease = leaseSession(`forward:${modelHash(bytes)}:${this.threads}:${batch}`, async () => bytes, {
        threads: this.threads,
        freeDimensions: { batch },
        label: model.label,
      });
      this.forwardLeases.set(batch, lease);
    }
    return lease;
  }

  private checkLive(): void {
    if (this.disposed) throw new Error('gradient oracle used after dispose()');
  }

  private checkPixels(pixels: FloatTensor): number {
    const [n, c, h, w] = pixels.dims;
    if (pixels.dims.length !== 4 || c !== 3 || h !== this.height || w !== this.width || n < 1) {
      throw new UserError(`${this.model.label}: pixels must be [N,3,${this.height},${this.width}] NCHW RGB in [0,1], got ${formatShape(pixels.dims)}`);
    }
    if (this.model.fixedBatch !== undefined && n !== this.model.fixedBatch) {
      throw new UserError(`${this.model.label}: the model takes batches of exactly ${this.model.fixedBatch}, got ${n}`);
    }
    return n;
  }

  private lossFeeds(g: GradientGraph, batch: number, args: LossArgs): Record<string, HostTensor> {
    const feeds: Record<string, HostTensor> = {};
    const label = `${this.model.label}: ${this.loss.kind} loss`;
    const { labels, mask, vectors, target, outputGrads } = g.args;
    if (labels) {
      const values = args.labels;
      if (!values || values.length !== batch) throw new UserError(`${label} needs one label per sample (${batch}), got ${values?.length ?? 'none'}`);
      const output = 'output' in this.loss && this.loss.output ? this.loss.output : '';
      const classes = (g.shapes[output] ?? []).slice(1).reduce((a, b) => a * b, 1);
      const bad = values.find((v) => !Number.isInteger(v) || v < 0 || v >= classes);
      if (bad !== undefined) throw new UserError(`${label}: label ${bad} is not a class index in [0, ${classes})`);
      feeds[labels] = int64Tensor([batch], values);
    }
    const tensor = (name: string, what: string, value: FloatTensor | undefined, dims: number[]) => {
      if (!value) throw new UserError(`${label} needs ${what} of shape ${formatShape(dims)}`);
      if (value.dims.length !== dims.length || value.dims.some((d, i) => d !== dims[i])) {
        throw new UserError(`${label}: ${what} must have shape ${formatShape(dims)}, got ${formatShape(value.dims)}`);
      }
      feeds[name] = value;
    };
    // Per-sample arguments are [batch, ...]; the graph may be built for a piece of the batch.
    const dimsOf = (name: string) => [batch, ...((g.model.graph.inputs.find((i) => i.name === name)?.shape ?? []) as number[]).slice(1)];
    if (mask) tensor(mask, 'a mask', args.mask, dimsOf(mask));
    if (vectors) tensor(vectors, 'vectors', args.vectors, dimsOf(vectors));
    if (target) tensor(target, 'a target', args.target, dimsOf(target));
    for (const [output, name] of Object.entries(outputGrads ?? {})) tensor(name, `outputGrads['${output}']`, args.outputGrads?.[output], dimsOf(name));
    return feeds;
  }
}

/** Fills in the classifier output for losses that may leave it out. */
function resolveLoss(model: LoadedModel, loss: LossSpec): LossSpec {
  if ((loss.kind === 'ce' || loss.kind === 'margin' || loss.kind === 'logit') && !loss.output) {
    const head = model.head;
    const output = (head.kind === 'classifier' ? head.output : undefined) ?? model.ir().graph.outputs[0]?.name;
    return { ...loss, output };
  }
  return loss;
}

function asFloat(t: HostTensor): FloatTensor {
  if (t.data instanceof Float32Array) return t as FloatTensor;
  return { type: 'float32', dims: t.dims, data: Float32Array.from(t.data as ArrayLike<number | bigint>, Number) };
}
