import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineSupervisor, MAX_RUN_CRASHES, RESUME_BACKOFF_MS, type EngineChannel } from '../../../src/engine/service/supervisor';
import { spawnWorkerChannel } from '../../../src/engine/service/worker-channel';
import type { CallMessage, EngineEvent, ServerMessage } from '../../../src/shared/index';
import { tempDir } from '../../helpers/paths';

/** An engine we drive by hand: records calls, answers when told, dies when told. */
class FakeEngine implements EngineChannel {
  calls: CallMessage[] = [];
  private messageListener: (m: unknown) => void = () => {};
  private exitListener: (i: { code: number | null; reason?: string }) => void = () => {};
  send(message: CallMessage) {
    this.calls.push(message);
  }
  onMessage(listener: (m: unknown) => void) {
    this.messageListener = listener;
  }
  onExit(listener: (i: { code: number | null; reason?: string }) => void) {
    this.exitListener = listener;
  }
  async kill() {}
  reply(message: ServerMessage) {
    this.messageListener(message);
  }
  die(code: number) {
    this.exitListener({ code });
  }
}

const attackJob = (state: 'running' | 'done', run?: string) => ({
  id: 'job-1',
  kind: 'attack' as const,
  state,
  title: 'patch',
  startedAt: 1,
  resumed: false,
  ...(run ? { run } : {}),
});

describe('engine supervisor', () => {
  it('fails pending calls, announces the crash, restarts, and resumes a running attack from its run', async () => {
    vi.useFakeTimers();
    const engines: FakeEngine[] = [];
    const supervisor = new EngineSupervisor(() => {
      engines.push(new FakeEngine());
      return engines.at(-1)!;
    });
    const events: EngineEvent[] = [];
    supervisor.onEvent((e) => events.push(e));

    const started = supervisor.call('startJob', { kind: 'attack', params: { model: 'centernet', scenes: 'samples', steps: 50 } });
    const first = engines[0];
    first.reply({ type: 'result', id: first.calls[0].id, ok: true, value: { job: attackJob('running') } });
    await started;
    first.reply({ type: 'event', event: { type: 'job', job: attackJob('running', 'run-7') } });

    const pending = supervisor.call('listModels', {});
    first.die(134);
    await expect(pending).rejects.toThrow('the engine stopped unexpectedly (exit code 134)');

    expect(engines).toHaveLength(2);
    expect(events.filter((e) => e.type === 'engine').map((e) => (e as { state: string }).state)).toEqual(['crashed', 'ready']);
    expect(engines[1].calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(RESUME_BACKOFF_MS);
    vi.useRealTimers();
    const resumed = engines[1].calls.find((c) => c.method === 'startJob');
    expect(resumed?.params).toMatchObject({ kind: 'attack', params: { model: 'centernet', scenes: 'samples', steps: 50, resume: 'run-7' } });
  });

  it('does not resume jobs that finished before the crash', async () => {
    const engines: FakeEngine[] = [];
    const supervisor = new EngineSupervisor(() => {
      engines.push(new FakeEngine());
      return engines.at(-1)!;
    });
    const started = supervisor.call('startJob', { kind: 'attack', params: { model: 'm', scenes: 's' } });
    engines[0].reply({ type: 'result', id: 1, ok: true, value: { job: attackJob('running', 'run-1') } });
    await started;
    engines[0].reply({ type: 'event', event: { type: 'job', job: attackJob('done', 'run-1') } });
    engines[0].die(1);
    expect(engines[1].calls).toEqual([]);
  });

  it('stops restarting an engine that keeps crashing', () => {
    const engines: FakeEngine[] = [];
    const supervisor = new EngineSupervisor(
      () => {
        engines.push(new FakeEngine());
        return engines.at(-1)!;
      },
      { maxCrashes: 2 },
    );
    const events: EngineEvent[] = [];
    supervisor.onEvent((e) => events.push(e));
    for (let i = 0; i < 3; i++) engines.at(-1)!.die(1);
    expect(engines).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: 'engine', state: 'crashed', message: expect.stringMatching(/keeps crashing/) });
  });
});

describe('engine worker thread', () => {
  let supervisor: EngineSupervisor | undefined;
  afterEach(async () => {
    await supervisor?.close();
  });

  it('answers contract calls from a worker and comes back after the worker dies', async () => {
    const channels: EngineChannel[] = [];
    supervisor = new EngineSupervisor(() => {
      channels.push(spawnWorkerChannel());
      return channels.at(-1)!;
    });
    const caps = (await supervisor.call('capabilities', {})) as { webcam: { available: boolean } };
    expect(caps.webcam.available).toBe(true);
    await expect(supervisor.call('describeModel', { model: 'no-such-model' })).rejects.toMatchObject({ user: true, message: expect.stringMatching(/unknown model 'no-such-model'/) });
    await expect(supervisor.call('readArtifact', { run: 'x', file: '../secret' })).rejects.toThrow(/readArtifact: invalid request: file/);

    const ready = new Promise<void>((resolve) => supervisor!.onEvent((e) => e.type === 'engine' && e.state === 'ready' && resolve()));
    await channels[0].kill();
    await ready;
    expect(channels).toHaveLength(2);
    expect(((await supervisor.call('listJobs', {})) as { jobs: unknown[] }).jobs).toEqual([]);
  });
});

describe('engine supervisor: a run that keeps crashing the engine', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Starts an attack on the newest engine and lets it report its run folder. */
  async function startRun(supervisor: EngineSupervisor, engine: FakeEngine, run: string): Promise<void> {
    const started = supervisor.call('startJob', { kind: 'attack', params: { model: 'm', scenes: 's', resume: run } });
    const call = engine.calls.at(-1)!;
    engine.reply({ type: 'result', id: call.id, ok: true, value: { job: attackJob('running', run) } });
    await started;
  }

  it('resumes it after growing delays, then stops after MAX_RUN_CRASHES and marks it failed with the reason', async () => {
    vi.useFakeTimers();
    const engines: FakeEngine[] = [];
    const failed: { run: string; reason: string }[] = [];
    const supervisor = new EngineSupervisor(
      () => {
        engines.push(new FakeEngine());
        return engines.at(-1)!;
      },
      { crashWindowMs: 1, markRunFailed: (run, reason) => failed.push({ run, reason }) },
    );
    const events: EngineEvent[] = [];
    supervisor.onEvent((e) => events.push(e));
    await startRun(supervisor, engines[0], 'run-9');
    const resumeCalls = (e: FakeEngine) => e.calls.filter((c) => c.method === 'startJob' && (c.params as { params: { resume?: string } }).params.resume === 'run-9');

    const delays: number[] = [];
    for (let crash = 1; crash < MAX_RUN_CRASHES; crash++) {
      await vi.advanceTimersByTimeAsync(12_000); // the run crashes the engine 12 s in, every time
      engines.at(-1)!.die(134);
      const fresh = engines.at(-1)!;
      let waited = 0;
      while (resumeCalls(fresh).length === 0 && waited < 10 * 60_000) {
        await vi.advanceTimersByTimeAsync(250);
        waited += 250;
      }
      expect(resumeCalls(fresh)).toHaveLength(1);
      delays.push(waited);
      const call = resumeCalls(fresh)[0];
      fresh.reply({ type: 'result', id: call.id, ok: true, value: { job: attackJob('running', 'run-9') } });
      await Promise.resolve();
    }
    expect(delays[0]).toBeGreaterThan(0);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(2 * delays[i - 1]);

    await vi.advanceTimersByTimeAsync(12_000);
    engines.at(-1)!.die(134);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(resumeCalls(engines.at(-1)!)).toHaveLength(0);
    expect(failed).toEqual([{ run: 'run-9', reason: expect.stringMatching(new RegExp(`engine crashed ${MAX_RUN_CRASHES} times.*exit code 134`)) }]);
    expect(events.some((e) => e.type === 'engine' && /run-9/.test(e.message ?? '') && /not resuming/.test(e.message ?? ''))).toBe(true);
    // The engine itself still serves other calls.
    const listed = supervisor.call('listJobs', {});
    const last = engines.at(-1)!;
    last.reply({ type: 'result', id: last.calls.at(-1)!.id, ok: true, value: { jobs: [] } });
    await expect(listed).resolves.toEqual({ jobs: [] });
  });

  it('by default records the failure in the run folder\'s run.json', async () => {
    vi.useFakeTimers();
    const home = tempDir('patchlab-home-');
    const previous = process.env.PATCHLAB_HOME;
    process.env.PATCHLAB_HOME = home;
    try {
      const dir = join(home, 'runs', 'run-3');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'run.json'), JSON.stringify({ id: 'run-3', status: 'running', steps: { done: 4, total: 9 } }));
      const engines: FakeEngine[] = [];
      const supervisor = new EngineSupervisor(() => {
        engines.push(new FakeEngine());
        return engines.at(-1)!;
      }, { crashWindowMs: 1 });
      await startRun(supervisor, engines[0], 'run-3');
      for (let crash = 1; crash <= MAX_RUN_CRASHES; crash++) {
        engines.at(-1)!.die(139);
        await vi.advanceTimersByTimeAsync(60 * 60_000);
        const fresh = engines.at(-1)!;
        const call = fresh.calls.find((c) => c.method === 'startJob');
        if (call) fresh.reply({ type: 'result', id: call.id, ok: true, value: { job: attackJob('running', 'run-3') } });
        await Promise.resolve();
      }
      const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
      expect(record).toMatchObject({ status: 'failed', error: expect.stringMatching(/crashed 3 times/), steps: { done: 4, total: 9 } });
    } finally {
      if (previous === undefined) delete process.env.PATCHLAB_HOME;
      else process.env.PATCHLAB_HOME = previous;
    }
  });
});
