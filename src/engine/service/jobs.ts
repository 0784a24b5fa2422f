import { UserError, firstLine, isUserError } from '../errors';
import { isFinished, type EngineEvent, type JobInfo, type JobKind, type ParsedJobRequest, type Progress } from '../../shared/index';
import type { AnyJobHandler, JobContext, JobHandler } from './types';

interface Job {
  info: JobInfo;
  request: ParsedJobRequest;
  abort: AbortController;
  /** Set while paused: resolving it lets the job continue. */
  unpause?: { promise: Promise<void>; resolve: () => void };
  /** Aborted on pause or stop; handed to engine loops that pause by returning. */
  interrupt?: AbortController;
}

/**
 * Runs compute jobs one at a time (each already uses every core through onnxruntime) and quick
 * jobs at once, keeps their state, and turns progress and state changes into engine events.
 */
export class JobManager {
  private readonly jobs = new Map<string, Job>();
  /** Compute jobs waiting for the one compute slot. */
  private readonly queue: Job[] = [];
  private running?: Job;
  private nextId = 1;

  constructor(
    private readonly handlers: ReadonlyMap<JobKind, AnyJobHandler>,
    private readonly emit: (event: EngineEvent) => void,
  ) {}

  handler(kind: JobKind): AnyJobHandler {
    const handler = this.handlers.get(kind);
    if (!handler) throw new UserError(`no handler for '${kind}' jobs`);
    return handler;
  }

  start(request: ParsedJobRequest, options: { resumed?: boolean } = {}): JobInfo {
    const handler = this.handler(request.kind);
    const capability = handler.capability();
    if (!capability.available) throw new UserError(capability.reason ?? `${request.kind} is not available`);
    const title = (handler.title as (p: unknown) => string)(request.params);
    const run = (handler.run as ((p: unknown) => string | undefined) | undefined)?.(request.params);
    const job: Job = {
      info: { id: `job-${this.nextId++}`, kind: request.kind, state: 'queued', title, startedAt: Date.now(), resumed: options.resumed ?? (request.kind === 'attack' && Boolean(request.params.resume)), ...(run ? { run } : {}) },
      request,
      abort: new AbortController(),
    };
    this.jobs.set(job.info.id, job);
    this.changed(job);
    if ((handler.lane ?? 'compute') === 'quick') {
      void this.execute(job);
    } else {
      this.queue.push(job);
      void this.pump();
    }
    return { ...job.info };
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => ({ ...j.info }));
  }

  pause(id: string): JobInfo {
    const job = this.get(id);
    if (job.info.state !== 'running') throw new UserError(`job ${id} is ${job.info.state}, not running`);
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    job.unpause = { promise, resolve };
    job.interrupt?.abort();
    job.info.state = 'paused';
    this.changed(job);
    return { ...job.info };
  }

  resume(id: string): JobInfo {
    const job = this.get(id);
    if (job.info.state !== 'paused') throw new UserError(`job ${id} is ${job.info.state}, not paused`);
    job.info.state = 'running';
    this.release(job);
    this.changed(job);
    return { ...job.info };
  }

  cancel(id: string): JobInfo {
    const job = this.get(id);
    if (isFinished(job.info.state)) return { ...job.info };
    job.abort.abort();
    job.interrupt?.abort();
    this.release(job);
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      job.info.state = 'cancelled';
      this.changed(job);
    }
    return { ...job.info };
  }

  /** Stops everything (engine shutdown). */
  cancelAll(): void {
    for (const job of this.jobs.values()) this.cancel(job.info.id);
  }

  private get(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new UserError(`no job '${id}'`);
    return job;
  }

  private release(job: Job): void {
    job.unpause?.resolve();
    job.unpause = undefined;
  }

  private changed(job: Job): void {
    this.emit({ type: 'job', job: { ...job.info } });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    await this.execute(job);
    this.running = undefined;
    void this.pump();
  }

  private async execute(job: Job): Promise<void> {
    job.info.state = 'running';
    this.changed(job);
    const ctx: JobContext = {
      signal: job.abort.signal,
      report: (progress: Progress) => {
        job.info.progress = progress;
        this.emit({ type: 'progress', id: job.info.id, progress });
      },
      waitWhilePaused: async () => {
        while (job.unpause && !job.abort.signal.aborted) await job.unpause.promise;
      },
      runSignal: () => {
        job.interrupt = new AbortController();
        if (job.abort.signal.aborted || job.unpause) job.interrupt.abort();
        return job.interrupt.signal;
      },
      setRun: (run: string) => {
        if (job.info.run === run) return;
        job.info.run = run;
        this.changed(job);
      },
    };
    try {
      const outcome = await (this.handler(job.request.kind).execute as (p: unknown, c: JobContext) => ReturnType<JobHandler['execute']>)(job.request.params, ctx);
      if (outcome.run) job.info.run = outcome.run;
      if (outcome.result) job.info.result = outcome.result;
      job.info.state = job.abort.signal.aborted ? 'cancelled' : 'done';
    } catch (error) {
      if (job.abort.signal.aborted) {
        job.info.state = 'cancelled';
      } else {
        job.info.state = 'failed';
        job.info.error = isUserError(error) ? error.message : firstLine(error);
      }
    }
    this.changed(job);
  }
}
