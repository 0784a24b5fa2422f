import { afterEach, describe, expect, it } from 'vitest';
import { EngineSupervisor, type EngineChannel } from '../../../src/engine/service/supervisor';
import { spawnWorkerChannel } from '../../../src/engine/service/worker-channel';
import type { CallMessage, EngineEvent, ServerMessage } from '../../../src/shared/index';

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
