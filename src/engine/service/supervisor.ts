import { isFinished, RemoteError, ServerMessage, type CallMessage, type EngineEvent, type JobInfo, type JobRequest, type Method } from '../../shared/index';
import { firstLine } from '../errors';
import { releaseLockOfDeadThread } from '../runs/lock';
import { RunStore } from '../runs/store';
import { runDir } from './handlers/runs';

/** A run that was running when the engine crashed this many times is not resumed again: it is the likely cause. */
export const MAX_RUN_CRASHES = 3;
/** Delay before resuming a run after its first crash; doubled after each further crash. */
export const RESUME_BACKOFF_MS = 2_000;

/** One running engine (worker thread or Electron utility process) as the supervisor sees it. */
export interface EngineChannel {
  send(message: CallMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (info: { code: number | null; reason?: string }) => void): void;
  kill(): Promise<void>;
}

export interface SupervisorOptions {
  /** Give up restarting after this many crashes within `crashWindowMs`. */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** Delay before the first resume of a crashed run (doubles per further crash); RESUME_BACKOFF_MS by default. */
  resumeBackoffMs?: number;
  /** Records a run given up on; by default its run.json ends as 'failed' with the reason. */
  markRunFailed?: (run: string, reason: string) => void;
}

/** Writes the reason into the run's run.json (the engine that would have is dead). */
function markFailedInRunStore(run: string, reason: string): void {
  try {
    const store = RunStore.open(runDir(run));
    store.markFailed(store.readRecord(), reason);
  } catch {
    // No run.json yet (it crashed while preparing): nothing on disk to mark.
  }
}

interface Pending {
  method: Method;
  params: unknown;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The front ends' handle on the engine: calls with ids, events, and crash recovery. When the
 * engine dies, pending calls fail with a clear message, listeners get an `engine` event, a new
 * engine starts, and attack jobs that were running continue from their run's last checkpoint.
 */
export class EngineSupervisor {
  private channel: EngineChannel;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  /** Attack jobs that were started here and have not finished: what to resume after a crash. */
  private readonly resumable = new Map<string, { request: Extract<JobRequest, { kind: 'attack' }>; run?: string }>();
  private readonly crashes: number[] = [];
  /** Crashes of the engine while each run (by run id) was running. */
  private readonly runCrashes = new Map<string, number>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly spawn: () => EngineChannel,
    private readonly options: SupervisorOptions = {},
  ) {
    this.channel = this.attach(spawn());
  }

  call(method: Method, params: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new RemoteError('the engine has been shut down', false));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, params, resolve, reject });
      this.channel.send({ type: 'call', id, method, params });
    });
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.failPending('the engine has been shut down');
    await this.channel.kill();
  }

  private attach(channel: EngineChannel): EngineChannel {
    channel.onMessage((raw) => this.receive(raw));
    channel.onExit((info) => {
      if (this.channel === channel && !this.closed) this.crashed(info);
    });
    return channel;
  }

  private receive(raw: unknown): void {
    const parsed = ServerMessage.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'event') {
      this.track(message.event);
      this.listeners.forEach((l) => l(message.event));
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (!message.ok) return pending.reject(new RemoteError(message.error.message, message.error.user));
    if (pending.method === 'startJob') this.remember(pending.params as JobRequest, (message.value as { job: JobInfo }).job);
    pending.resolve(message.value);
  }

  private remember(request: JobRequest, job: JobInfo): void {
    if (request.kind === 'attack') this.resumable.set(job.id, { request, run: job.run });
  }

  private track(event: EngineEvent): void {
    if (event.type !== 'job') return;
    const entry = this.resumable.get(event.job.id);
    if (!entry) return;
    if (event.job.run) entry.run = event.job.run;
    if (isFinished(event.job.state)) {
      this.resumable.delete(event.job.id);
      if (entry.run) this.runCrashes.delete(entry.run);
    }
  }

  private failPending(message: string): void {
    for (const p of this.pending.values()) p.reject(new RemoteError(message, false));
    this.pending.clear();
  }

  private emit(event: EngineEvent): void {
    this.listeners.forEach((l) => l(event));
  }

  private crashed(info: { code: number | null; reason?: string }): void {
    const why = info.reason ?? `exit code ${info.code}`;
    this.failPending(`the engine stopped unexpectedly (${why})`);
    const now = Date.now();
    const window = this.options.crashWindowMs ?? 60_000;
    this.crashes.push(now);
    while (this.crashes.length > 0 && this.crashes[0] < now - window) this.crashes.shift();
    if (this.crashes.length > (this.options.maxCrashes ?? 5)) {
      this.closed = true;
      this.emit({ type: 'engine', state: 'crashed', message: `the engine keeps crashing (${why}); restart patchlab` });
      return;
    }
    const crashedRuns = [...this.resumable.values()].filter((r): r is { request: Extract<JobRequest, { kind: 'attack' }>; run: string } => Boolean(r.run));
    this.resumable.clear();
    const toResume: { request: Extract<JobRequest, { kind: 'attack' }>; run: string; delay: number }[] = [];
    const given: string[] = [];
    for (const r of crashedRuns) {
      const count = (this.runCrashes.get(r.run) ?? 0) + 1;
      this.runCrashes.set(r.run, count);
      if (count >= MAX_RUN_CRASHES) {
        this.runCrashes.delete(r.run);
        const reason = `the engine crashed ${count} times while running it (last: ${why}); not resuming it again`;
        try {
          (this.options.markRunFailed ?? markFailedInRunStore)(r.run, reason);
        } catch (error) {
          this.emit({ type: 'engine', state: 'ready', message: `could not mark run ${r.run} failed: ${firstLine(error)}` });
        }
        given.push(r.run);
      } else {
        toResume.push({ ...r, delay: (this.options.resumeBackoffMs ?? RESUME_BACKOFF_MS) * 2 ** (count - 1) });
      }
    }
    this.emit({ type: 'engine', state: 'crashed', message: `the engine stopped unexpectedly (${why}); restarting it` });
    this.channel = this.attach(this.spawn());
    const parts = ['engine restarted'];
    if (toResume.length > 0) parts.push(`resuming ${toResume.length} run(s) from their last checkpoint in ${Math.round(Math.min(...toResume.map((r) => r.delay)) / 1000)} s`);
    if (given.length > 0) parts.push(`not resuming ${given.join(', ')}: the engine crashed ${MAX_RUN_CRASHES} times while running it; marked failed`);
    this.emit({ type: 'engine', state: 'ready', message: parts.join('; ') });
    for (const r of toResume) {
      // Back off: a run that crashes the engine deterministically must not spin it.
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.closed) return;
        releaseLockOfDeadThread(runDir(r.run));
        void this.call('startJob', { kind: 'attack', params: { ...r.request.params, resume: r.run } }).catch((error: Error) =>
          this.emit({ type: 'engine', state: 'ready', message: `could not resume run ${r.run}: ${error.message}` }),
        );
      }, r.delay);
      this.timers.add(timer);
    }
  }
}
