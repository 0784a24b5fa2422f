import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { HostTensor } from '../../tensor/tensor';
import { WorkerPool } from '../../worker-pool';
import { currentDevice } from '../device';
import { buffersOf, type SessionReply, type SessionRequest } from './protocol';

/** The worker's module: the source under tsx and vitest; in the Electron build, the bundle the main process names in PATCHLAB_SESSION_WORKER. */
function workerEntry(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('./worker.ts', import.meta.url);
  const bundled = process.env.PATCHLAB_SESSION_WORKER;
  return bundled ? pathToFileURL(bundled) : new URL('./worker.js', import.meta.url);
}

/**
 * How many session workers batch work is spread over: PATCHLAB_SESSION_WORKERS, else one per
 * core on the CPU device (an accelerator runs a whole batch itself, so 1 there).
 */
export function sessionWorkerCount(env: NodeJS.ProcessEnv = process.env, device = currentDevice()): number {
  const set = env.PATCHLAB_SESSION_WORKERS;
  if (set !== undefined && set !== '') return Math.max(1, Math.floor(Number(set)) || 1);
  return device === 'cpu' ? availableParallelism() : 1;
}

interface Graph {
  bytes: Uint8Array;
  label: string;
  /** Workers that hold a session of it. */
  loaded: Map<number, Promise<unknown>>;
  users: number;
}

/**
 * onnxruntime sessions spread over worker threads, one intra-op thread each. On a few cores
 * several single-threaded runs side by side beat one run on all threads: small ops do not pay
 * for thread hand-offs and each run's activations stay in its own core's cache (BENCHMARKS.md,
 * "Speed, round 2"). A graph is loaded into a worker the first time a run lands there.
 */
export class SessionWorkers {
  private readonly pool: WorkerPool<SessionRequest, SessionReply>;
  private readonly graphs = new Map<string, Graph>();
  /** Runs given to each worker and not yet answered (counted at once, so calls issued together spread). */
  private readonly busy: number[];
  private readonly answered: number[];

  constructor(size: number) {
    this.pool = new WorkerPool(workerEntry(), size, 'session');
    this.busy = new Array<number>(size).fill(0);
    this.answered = new Array<number>(size).fill(0);
  }

  get size(): number {
    return this.pool.size;
  }

  /** Graphs registered and not yet released. */
  get graphCount(): number {
    return this.graphs.size;
  }

  /** How many runs each worker has answered (a view for benchmarks and tests). */
  get runsPerWorker(): readonly number[] {
    return this.answered;
  }

  /** Registers a graph (counted: `release` as often as `acquire`). */
  acquire(key: string, bytes: Uint8Array, label: string): void {
    const graph = this.graphs.get(key);
    if (graph) graph.users++;
    else this.graphs.set(key, { bytes, label, loaded: new Map(), users: 1 });
  }

  release(key: string): void {
    const graph = this.graphs.get(key);
    if (!graph || --graph.users > 0) return;
    this.graphs.delete(key);
    for (const [index, loaded] of graph.loaded) {
      loaded.then(() => this.pool.call(index, { kind: 'release', key })).catch(() => undefined);
    }
  }

  /** Runs a registered graph on the least busy worker; with `move`, the feeds' buffers are handed over (detached here) instead of copied. */
  async run(key: string, feeds: Record<string, HostTensor>, fetch: readonly string[] = [], move = false): Promise<Record<string, HostTensor>> {
    const graph = this.graphs.get(key);
    if (!graph) throw new Error(`session workers: graph ${key} was not acquired`);
    const index = this.busy.indexOf(Math.min(...this.busy));
    this.busy[index]++;
    try {
      const outputs = await this.runOn(index, key, graph, feeds, fetch, move);
      this.answered[index]++;
      return outputs;
    } finally {
      this.busy[index]--;
    }
  }

  private async runOn(index: number, key: string, graph: Graph, feeds: Record<string, HostTensor>, fetch: readonly string[], move: boolean): Promise<Record<string, HostTensor>> {
    let loaded = graph.loaded.get(index);
    if (!loaded) {
      loaded = this.pool.call(index, { kind: 'load', key, bytes: graph.bytes, threads: 1, label: graph.label });
      graph.loaded.set(index, loaded);
      loaded.catch(() => graph.loaded.delete(index));
    }
    await loaded;
    const reply = await this.pool.call(index, { kind: 'run', key, feeds, fetch: [...fetch] }, move ? buffersOf(feeds) : []);
    return reply.outputs ?? {};
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

let shared: SessionWorkers | undefined;

/** The process's session workers, started on first use; undefined when batch work stays on one session. */
export function sharedSessionWorkers(): SessionWorkers | undefined {
  const count = sessionWorkerCount();
  if (count < 2) return undefined;
  if (shared?.size !== count) {
    void shared?.close();
    shared = new SessionWorkers(count);
  }
  return shared;
}

/**
 * Stops the process's session workers (the CLI at the end of a command: under tsx a worker
 * thread keeps the process alive even when unreferenced).
 */
export async function closeSharedSessionWorkers(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
