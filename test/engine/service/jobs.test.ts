import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/engine/errors';
import { createEngineService, type JobHandler } from '../../../src/engine/service';
import type { EngineEvent, JobInfo } from '../../../src/shared/index';

/** A job that takes `steps` steps of ~5 ms, honouring pause and stop like an attack loop must. */
function countingJob(log: number[]): JobHandler<'evaluate'> {
  return {
    kind: 'evaluate',
    capability: () => ({ available: true }),
    title: (p) => `count ${p.run}`,
    execute: async (params, ctx) => {
      const steps = 40;
      for (let step = 1; step <= steps; step++) {
        await ctx.waitWhilePaused();
        if (ctx.signal.aborted) return {};
        await new Promise((r) => setTimeout(r, 5));
        log.push(step);
        ctx.report({ step, steps, loss: { total: 1 / step } });
      }
      return { run: params.run, result: { steps } };
    },
  };
}

function collect(service: ReturnType<typeof createEngineService>): EngineEvent[] {
  const events: EngineEvent[] = [];
  service.onEvent((e) => events.push(e));
  return events;
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const jobState = (events: EngineEvent[], id: string): JobInfo['state'] | undefined =>
  events.filter((e): e is Extract<EngineEvent, { type: 'job' }> => e.type === 'job' && e.job.id === id).at(-1)?.job.state;

describe('engine service jobs', () => {
  it('runs a job to completion with progress events and its result', async () => {
    const log: number[] = [];
    const service = createEngineService({ jobs: [countingJob(log)] });
    const events = collect(service);
    const { job } = (await service.call('startJob', { kind: 'evaluate', params: { run: 'r1' } })) as { job: JobInfo };
    await until(() => jobState(events, job.id) === 'done');
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress).toHaveLength(40);
    expect(progress.at(-1)).toMatchObject({ id: job.id, progress: { step: 40, steps: 40 } });
    const { jobs } = (await service.call('listJobs', {})) as { jobs: JobInfo[] };
    expect(jobs[0]).toMatchObject({ id: job.id, state: 'done', run: 'r1', result: { steps: 40 } });
  });

  it('pause holds the loop, resume continues it, stop ends it', async () => {
    const log: number[] = [];
    const service = createEngineService({ jobs: [countingJob(log)] });
    const events = collect(service);
    const { job } = (await service.call('startJob', { kind: 'evaluate', params: { run: 'r1' } })) as { job: JobInfo };
    await until(() => log.length >= 3);
    await service.call('pauseJob', { id: job.id });
    const atPause = log.length;
    await new Promise((r) => setTimeout(r, 100));
    // At most the step in flight finishes after a pause.
    expect(log.length - atPause).toBeLessThanOrEqual(1);
    expect(jobState(events, job.id)).toBe('paused');
    await service.call('resumeJob', { id: job.id });
    await until(() => log.length >= atPause + 5);
    await service.call('cancelJob', { id: job.id });
    await until(() => jobState(events, job.id) === 'cancelled');
    expect(log.length).toBeLessThan(40);
  });

  it('runs jobs one at a time and can stop a queued one before it starts', async () => {
    const log: number[] = [];
    const service = createEngineService({ jobs: [countingJob(log)] });
    const events = collect(service);
    const a = ((await service.call('startJob', { kind: 'evaluate', params: { run: 'a' } })) as { job: JobInfo }).job;
    const b = ((await service.call('startJob', { kind: 'evaluate', params: { run: 'b' } })) as { job: JobInfo }).job;
    const c = ((await service.call('startJob', { kind: 'evaluate', params: { run: 'c' } })) as { job: JobInfo }).job;
    expect(jobState(events, b.id)).toBe('queued');
    await service.call('cancelJob', { id: c.id });
    await until(() => jobState(events, b.id) === 'done');
    const running = events.filter((e) => e.type === 'job' && e.job.state === 'running').map((e) => (e as { job: JobInfo }).job.id);
    expect(running).toEqual([a.id, b.id]);
    expect(jobState(events, c.id)).toBe('cancelled');
    expect(log).toHaveLength(80);
  });

  it('reports a failing job with its one-line reason', async () => {
    const failing: JobHandler<'evaluate'> = {
      kind: 'evaluate',
      capability: () => ({ available: true }),
      title: () => 'fails',
      execute: async () => {
        throw new UserError('scenes/x.jpg: cannot decode image');
      },
    };
    const service = createEngineService({ jobs: [failing] });
    const events = collect(service);
    const { job } = (await service.call('startJob', { kind: 'evaluate', params: { run: 'r' } })) as { job: JobInfo };
    await until(() => jobState(events, job.id) === 'failed');
    expect(events.findLast((e) => e.type === 'job')).toMatchObject({ job: { error: 'scenes/x.jpg: cannot decode image' } });
  });

  it('refuses a job whose engine function is not available, saying why, and reports it in capabilities', async () => {
    const missing: JobHandler<'evaluate'> = {
      kind: 'evaluate',
      capability: () => ({ available: false, reason: 'evaluation needs the evaluate engine' }),
      title: () => 'never',
      execute: async () => {
        throw new Error('must not run');
      },
    };
    const service = createEngineService({ jobs: [missing] });
    const caps = (await service.call('capabilities', {})) as { jobs: Record<string, { available: boolean; reason?: string }> };
    expect(caps.jobs.evaluate).toEqual({ available: false, reason: 'evaluation needs the evaluate engine' });
    await expect(service.call('startJob', { kind: 'evaluate', params: { run: 'r' } })).rejects.toThrow('evaluation needs the evaluate engine');
    expect(((await service.call('listJobs', {})) as { jobs: unknown[] }).jobs).toEqual([]);
  });
});

describe('jobs that pause by checkpointing and returning', () => {
  it('aborts the run signal on pause, and hands a fresh one after resume', async () => {
    const signals: AbortSignal[] = [];
    const segments: number[] = [];
    const handler: JobHandler<'evaluate'> = {
      kind: 'evaluate',
      capability: () => ({ available: true }),
      title: () => 'segments',
      execute: async (_params, ctx) => {
        let step = 0;
        while (step < 30) {
          const signal = ctx.runSignal();
          signals.push(signal);
          // An engine loop like runPhysicalAttack: runs until done or its signal aborts.
          while (step < 30 && !signal.aborted) {
            await new Promise((r) => setTimeout(r, 5));
            ctx.report({ step: ++step, steps: 30, loss: {} });
          }
          segments.push(step);
          if (ctx.signal.aborted) return {};
          await ctx.waitWhilePaused();
          if (ctx.signal.aborted) return {};
        }
        return { result: { step } };
      },
    };
    const service = createEngineService({ jobs: [handler] });
    const events = collect(service);
    const { job } = (await service.call('startJob', { kind: 'evaluate', params: { run: 'r' } })) as { job: JobInfo };
    await until(() => events.some((e) => e.type === 'progress' && e.progress.step >= 5));
    await service.call('pauseJob', { id: job.id });
    expect(signals[0].aborted).toBe(true);
    await until(() => segments.length === 1);
    await service.call('resumeJob', { id: job.id });
    await until(() => jobState(events, job.id) === 'done');
    expect(signals).toHaveLength(2);
    expect(signals[1].aborted).toBe(false);
    expect(segments.at(-1)).toBe(30);
  });
});

describe('quick jobs', () => {
  it('start at once instead of waiting behind a running compute job', async () => {
    const log: number[] = [];
    const quick: JobHandler<'exportPdf'> = {
      kind: 'exportPdf',
      lane: 'quick',
      capability: () => ({ available: true }),
      title: () => 'quick',
      execute: async () => ({ result: { ok: true } }),
    };
    const service = createEngineService({ jobs: [countingJob(log), quick] });
    const events = collect(service);
    const long = ((await service.call('startJob', { kind: 'evaluate', params: { run: 'a' } })) as { job: JobInfo }).job;
    await until(() => log.length >= 2);
    const pdf = ((await service.call('startJob', { kind: 'exportPdf', params: { run: 'a', sizeMm: 80 } })) as { job: JobInfo }).job;
    await until(() => jobState(events, pdf.id) === 'done');
    expect(jobState(events, long.id)).toBe('running');
    await service.call('cancelJob', { id: long.id });
    await until(() => jobState(events, long.id) === 'cancelled');
  });
});
