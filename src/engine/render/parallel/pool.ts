import { pathToFileURL } from 'node:url';
import { WorkerPool } from '../../worker-pool';
import type { RenderReply, RenderRequest } from './protocol';

/** The worker's module: the source under tsx and vitest; in the Electron build, the bundle the main process names in PATCHLAB_RENDER_WORKER. */
function workerEntry(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('./worker.ts', import.meta.url);
  const bundled = process.env.PATCHLAB_RENDER_WORKER;
  return bundled ? pathToFileURL(bundled) : new URL('./worker.js', import.meta.url);
}

type Call = Extract<RenderRequest, { call: number }>;
type CallBody = Call extends infer C ? (C extends Call ? Omit<C, 'call'> : never) : never;

/** The render workers of the parallel compositor. */
export class RenderPool {
  private readonly pool: WorkerPool<RenderRequest | CallBody, RenderReply>;

  constructor(size: number) {
    this.pool = new WorkerPool(workerEntry(), size, 'render');
  }

  get size(): number {
    return this.pool.size;
  }

  post(index: number, message: RenderRequest): void {
    this.pool.post(index, message);
  }

  call(index: number, body: CallBody): Promise<RenderReply> {
    return this.pool.call(index, body);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
