import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOnnxModel } from '../../../src/engine/models/import';
import { parseResult, type EngineEvent, type JobInfo } from '../../../src/shared/index';
import { addPetScenes, jobEnded, lastJob, serviceInFreshHome, until } from '../../helpers/jobs';
import { modelFixture } from '../../helpers/paths';

describe('attack jobs through the service (real engine, small classifier)', () => {
  const ctx = serviceInFreshHome('patchlab-attack-job-', async (home) => {
    await importOnnxModel(modelFixture('mobilenet_v2_w025.onnx'), { name: 'mnv2', labels: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] });
    addPetScenes(home);
  });

  it('optimises with progress events, pauses, resumes from the checkpoint and finishes the run', async () => {
    const { job } = (await ctx.service.call('startJob', {
      kind: 'attack',
      params: { model: 'mnv2', attack: 'patch', goal: 'untargeted', scenes: 'pets', steps: 12, batch: 2, resolution: 32, size: 0.3, eot: { rotation: 10, tilt: 10, scaleMin: 0.9, scaleMax: 1.1, brightness: 0.1, contrast: 0.1, noise: 0.01, blur: 0.5 } },
    })) as { job: JobInfo };
    await until(() => ctx.events.some((e) => e.type === 'progress' && e.id === job.id && e.progress.step >= 2));
    await ctx.service.call('pauseJob', { id: job.id });
    await until(() => lastJob(ctx.events, job.id)?.state === 'paused');
    const run = lastJob(ctx.events, job.id)?.run as string;
    expect(run).toMatch(/^patch-untargeted-mnv2-/);
    await new Promise((r) => setTimeout(r, 300));
    await ctx.service.call('resumeJob', { id: job.id });
    await jobEnded(ctx.events, job.id);
    expect(lastJob(ctx.events, job.id)).toMatchObject({ state: 'done', result: { status: 'done', stepsDone: 12 } });
    const progress = ctx.events.filter((e): e is Extract<EngineEvent, { type: 'progress' }> => e.type === 'progress' && e.id === job.id && e.progress.step > 0);
    expect(progress.at(-1)?.progress).toMatchObject({ step: 12, steps: 12 });
    expect(progress.some((p) => p.progress.preview instanceof Uint8Array)).toBe(true);
    expect(Object.keys(progress.at(-1)?.progress.loss ?? {})).toContain('total');
    const { runs } = parseResult('listRuns', await ctx.service.call('listRuns', {}));
    expect(runs.find((r) => r.id === run)).toMatchObject({ model: 'mnv2', attack: 'patch', status: 'done', stepsDone: 12, steps: 12 });
    expect(existsSync(join(ctx.home, 'runs', run, 'patch.png'))).toBe(true);
  });

  it('evaluates the finished run on held-out scenes beside the controls, writing eval.json', async () => {
    const { runs } = parseResult('listRuns', await ctx.service.call('listRuns', {}));
    const run = runs[0].id;
    const { job } = (await ctx.service.call('startJob', { kind: 'evaluate', params: { run, scenes: 'pets', views: 2 } })) as { job: JobInfo };
    await jobEnded(ctx.events, job.id);
    const done = lastJob(ctx.events, job.id);
    expect(done?.error).toBeUndefined();
    expect(done).toMatchObject({ state: 'done', run, result: { views: 4 } }); // 2 scenes x 2 views
    expect(Object.keys(done?.result?.success as object).sort()).toEqual(['clean', 'natural control', 'noise control', 'patch']);
    expect(existsSync(join(ctx.home, 'runs', run, 'eval.json'))).toBe(true);
    expect(existsSync(join(ctx.home, 'runs', run, 'eval-bins.png'))).toBe(true);
  });

  it("gives each attack kind's engine defaults", async () => {
    const patch = parseResult('attackDefaults', await ctx.service.call('attackDefaults', { attack: 'patch' }));
    const glasses = parseResult('attackDefaults', await ctx.service.call('attackDefaults', { attack: 'glasses' }));
    expect(patch).toMatchObject({ goal: 'hide', shape: 'square', size: 0.2, eot: { rotation: 20, tilt: 30, scaleMin: 0.8, scaleMax: 1.2 } });
    expect(glasses).toMatchObject({ goal: 'dodge', shape: 'eyeglasses', size: 1 });
    expect(glasses.eot.rotation).toBeLessThan(patch.eot.rotation);
  });
});
