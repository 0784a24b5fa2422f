import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../worker-thread';
import type { RenderReply, RenderRequest } from './protocol';

/** The worker's module: the source under tsx and vitest; in the Electron build, the bundle the main process names in PATCHLAB_RENDER_WORKER. */
function workerEntry(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('./worker.ts', import.meta.url);
  const bundled = process.env.PATCHLAB_RENDER_WORKER;
  return bundled ? pathToFileURL(bundled) : new URL('./worker.js', import.meta.url);
}

type Call = Extract<RenderRequest, { call: number }>;
type CallBody = Call extends infer C ? (C extends Call ? Omit<C, 'call'> : never) : never;

interface Member {
  worker: Worker;
  pending: Map<number, { resolve: (reply: RenderReply) => void; reject: (error: Error) => void }>;
}

/**
 * A fixed set of render workers with request/reply calls. A worker that fails (an uncaught
 * error, an unexpected exit) fails every call waiting on it and every later call, so a broken
 * worker surfaces as an error rather than a hang. Idle workers do not keep the process alive.
 */
export class RenderPool {
  private readonly members: Member[];
  private failure: Error | undefined;
  private closing = false;
  private nextCall = 1;

  constructor(size: number) {
    this.members = Array.from({ length: size }, () => this.spawn());
  }

  get size(): number {
    return this.members.length;
  }

  /** Sends a message that needs no answer (messages to one worker arrive in order). */
  post(index: number, message: RenderRequest): void {
    if (this.failure) throw this.failure;
    this.members[index].worker.postMessage(message);
  }

  call(index: number, body: CallBody): Promise<RenderReply> {
    if (this.failure) return Promise.reject(this.failure);
    const member = this.members[index];
    const call = this.nextCall++;
    return new Promise<RenderReply>((resolve, reject) => {
      if (member.pending.size === 0) member.worker.ref();
      member.pending.set(call, { resolve, reject });
      member.worker.postMessage({ ...body, call } as RenderRequest);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.fail(new Error('the render pool was closed'));
    await Promise.all(this.members.map((m) => m.worker.terminate()));
  }

  private spawn(): Member {
    const worker = startWorker(workerEntry(), { name: 'patchlab render' });
    const member: Member = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (reply: RenderReply) => {
      const waiting = member.pending.get(reply.call);
      if (!waiting) return;
      member.pending.delete(reply.call);
      if (member.pending.size === 0) worker.unref();
      if (reply.error !== undefined) waiting.reject(new Error(`render worker: ${reply.error}`));
      else waiting.resolve(reply);
    });
    worker.on('error', (error) => this.fail(new Error(`render worker failed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`render worker exited (code ${code})`));
    });
    return member;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const m of this.members) {
      for (const waiting of m.pending.values()) waiting.reject(this.failure);
      m.pending.clear();
      m.worker.unref();
    }
  }
}
