import type { TransferListItem, Worker } from 'node:worker_threads';
import { startWorker } from './worker-thread';

/** What every reply carries: the call it answers, or what went wrong. */
export interface WorkerReply {
  call: number;
  error?: string;
}

interface Member<Reply> {
  worker: Worker;
  pending: Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>;
}

/**
 * A fixed set of worker threads on one module, with request/reply calls. A worker that fails
 * (an uncaught error, an unexpected exit) fails every call waiting on it and every later call,
 * so a broken worker surfaces as an error rather than a hang. Idle workers do not keep the
 * process alive.
 */
export class WorkerPool<Request extends object, Reply extends WorkerReply> {
  private readonly members: Member<Reply>[];
  private failure: Error | undefined;
  private closing = false;
  private nextCall = 1;

  constructor(
    entry: URL,
    size: number,
    private readonly name: string,
  ) {
    this.members = Array.from({ length: size }, () => this.spawn(entry));
  }

  get size(): number {
    return this.members.length;
  }

  /** Sends a message that needs no answer (messages to one worker arrive in order). */
  post(index: number, message: Request, transfer: readonly TransferListItem[] = []): void {
    if (this.failure) throw this.failure;
    this.members[index].worker.postMessage(message, transfer);
  }

  call(index: number, body: Request, transfer: readonly TransferListItem[] = []): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const member = this.members[index];
    const call = this.nextCall++;
    return new Promise<Reply>((resolve, reject) => {
      if (member.pending.size === 0) member.worker.ref();
      member.pending.set(call, { resolve, reject });
      member.worker.postMessage({ ...body, call }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.fail(new Error(`the ${this.name} pool was closed`));
    await Promise.all(this.members.map((m) => m.worker.terminate()));
  }

  private spawn(entry: URL): Member<Reply> {
    const worker = startWorker(entry, { name: `patchlab ${this.name}` });
    const member: Member<Reply> = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiting = member.pending.get(reply.call);
      if (!waiting) return;
      member.pending.delete(reply.call);
      if (member.pending.size === 0) worker.unref();
      if (reply.error !== undefined) waiting.reject(new Error(`${this.name} worker: ${reply.error}`));
      else waiting.resolve(reply);
    });
    worker.on('error', (error) => this.fail(new Error(`${this.name} worker failed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`${this.name} worker exited (code ${code})`));
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
