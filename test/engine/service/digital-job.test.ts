import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOnnxModel } from '../../../src/engine/models/import';
import { parseResult, type EngineEvent, type JobInfo } from '../../../src/shared/index';
import { runPatchlabInProcess } from '../../helpers/cli';
import { randomLinear } from '../../helpers/linear-oracle';
import { writeLinearOnnx } from '../../helpers/linear-onnx';
import { addPetScenes, jobEnded, lastJob, serviceInFreshHome, until } from '../../helpers/jobs';
import { tempDir } from '../../helpers/paths';

const progressOf = (events: EngineEvent[], id: string) => events.filter((e): e is Extract<EngineEvent, { type: 'progress' }> => e.type === 'progress' && e.id === id).map((e) => e.progress);

/** results.json without what differs between two runs of the same attack: timings and the output folder. */
function comparable(text: string, out: string): unknown {
  return JSON.parse(text.split(out).join('<out>'), (key, value: unknown) => (key === 'seconds' ? undefined : value));
}

describe('digital attack jobs through the service (real engine, a linear classifier)', () => {
  const ctx = serviceInFreshHome('patchlab-digital-job-', async (home) => {
    await importOnnxModel(writeLinearOnnx(randomLinear(16, 12, 4, 21), tempDir()), { name: 'lin', labels: ['cat', 'dog', 'bird', 'fish'] });
    addPetScenes(home);
  });
  const images = [{ set: 'pets', image: 'dog.jpg' }, { set: 'pets', image: 'kite.jpg' }];

  async function runJob(params: Record<string, unknown>): Promise<JobInfo> {
    const { job } = parseResult('startJob', await ctx.service.call('startJob', { kind: 'digital', params: { model: 'lin', images, ...params } }));
    return jobEnded(ctx.events, job.id);
  }


  it('runs FGSM with a progress report per image and writes the run folder exactly as `patchlab attack fgsm` writes --out', async () => {
    const job = await runJob({ attack: 'fgsm', settings: { eps: 24 / 255 } });
    expect(job.error).toBeUndefined();
    expect(job).toMatchObject({ state: 'done', kind: 'digital', title: 'fgsm vs lin: 2 images' });
    const run = job.run as string;
    expect(run).toMatch(/^digital-fgsm-lin-\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(progressOf(ctx.events, job.id).filter((p) => p.message?.endsWith(' images')).map((p) => [p.step, p.steps])).toEqual([[1, 2], [2, 2]]);

    const cliOut = tempDir('patchlab-digital-cli-');
    const cli = await runPatchlabInProcess(['attack', 'fgsm', '--model', 'lin', '--images', join(ctx.home, 'scenes/pets/dog.jpg'), join(ctx.home, 'scenes/pets/kite.jpg'), '--out', cliOut, '--eps', '24/255', '--json']);
    expect(cli.code).toBe(0);
    const runFolder = join(ctx.home, 'runs', run);
    expect(readdirSync(runFolder).sort()).toEqual(readdirSync(cliOut).sort());
    expect(comparable(readFileSync(join(runFolder, 'results.json'), 'utf8'), runFolder)).toEqual(comparable(readFileSync(join(cliOut, 'results.json'), 'utf8'), cliOut));
    for (const png of ['dog.adv.png', 'kite.perturbation.png']) expect(readFileSync(join(runFolder, png)).equals(readFileSync(join(cliOut, png)))).toBe(true);

    const results = parseResult('digitalResults', await ctx.service.call('digitalResults', { run }));
    expect(results.summary).toMatchObject({ attack: 'fgsm', model: 'lin', images: 2, attacked: 2 });
    expect(results.results.map((r) => [r.image, r.source, r.files])).toEqual([
      ['dog.jpg', { set: 'pets', image: 'dog.jpg' }, { adversarial: 'dog.adv.png', perturbation: 'dog.perturbation.png', panel: 'dog.panel.png' }],
      ['kite.jpg', { set: 'pets', image: 'kite.jpg' }, { adversarial: 'kite.adv.png', perturbation: 'kite.perturbation.png', panel: 'kite.panel.png' }],
    ]);
    for (const r of results.results) expect(r.norms?.linf).toBeLessThanOrEqual(24 / 255 + 1e-9);
    const artifact = parseResult('readArtifact', await ctx.service.call('readArtifact', { run, file: results.results[0].files.adversarial as string }));
    expect(artifact.mime).toBe('image/png');
    const { runs } = parseResult('listRuns', await ctx.service.call('listRuns', {}));
    expect(runs.find((r) => r.id === run)).toMatchObject({ model: 'lin', attack: 'fgsm' });
  });

  it('computes a universal perturbation on a split of the images and judges it on the rest, as `patchlab attack universal` does', async () => {
    const job = await runJob({ attack: 'universal', settings: { eps: 16 / 255, steps: 4 } });
    expect(job.error).toBeUndefined();
    const run = job.run as string;
    expect(progressOf(ctx.events, job.id).filter((p) => p.message?.endsWith(' images')).map((p) => [p.step, p.steps])).toEqual([[1, 2], [2, 2]]);
    const cliOut = tempDir('patchlab-digital-cli-');
    const cli = await runPatchlabInProcess(['attack', 'universal', '--model', 'lin', '--images', join(ctx.home, 'scenes/pets/dog.jpg'), join(ctx.home, 'scenes/pets/kite.jpg'), '--out', cliOut, '--eps', '16/255', '--steps', '4', '--json']);
    expect(cli.code).toBe(0);
    const runFolder = join(ctx.home, 'runs', run);
    const tree = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort();
    expect(tree(runFolder)).toEqual(tree(cliOut));
    expect(comparable(readFileSync(join(runFolder, 'results.json'), 'utf8'), runFolder)).toEqual(comparable(readFileSync(join(cliOut, 'results.json'), 'utf8'), cliOut));
    const { summary, results, universal } = parseResult('digitalResults', await ctx.service.call('digitalResults', { run }));
    expect(summary).toMatchObject({ attack: 'universal', model: 'lin', images: 1 });
    expect(universal).toMatchObject({ method: 'sgd', eps: 16 / 255, norm: 'linf', computedOn: 1, heldOut: { images: 1 }, perturbation: 'universal.png' });
    expect(results.map((r) => r.folder).sort()).toEqual(['heldout', 'train']);
    const heldOut = results.find((r) => r.folder === 'heldout');
    const png = parseResult('readArtifact', await ctx.service.call('readArtifact', { run, file: heldOut?.files.adversarial as string, folder: 'heldout' }));
    expect(Buffer.from(png.bytes).equals(readFileSync(join(runFolder, 'heldout', heldOut?.files.adversarial as string)))).toBe(true);
    await expect(ctx.service.call('readArtifact', { run, file: 'x.png', folder: '..' })).rejects.toThrow(/readArtifact: invalid request: folder/);
  });

  it('runs a targeted PGD behind a defence with EOT, and fails with a one-line error for a class the model lacks', async () => {
    const job = await runJob({ attack: 'pgd', target: 'bird', settings: { eps: 32 / 255, steps: 5 }, defences: [{ kind: 'bit-depth', bits: 5 }, { kind: 'random-resize' }], eot: 2, judgeDraws: 2 });
    expect(job.error).toBeUndefined();
    const { summary, results } = parseResult('digitalResults', await ctx.service.call('digitalResults', { run: job.run as string }));
    expect(summary.defence).toBe('bit-depth(5) -> random-resize(0.9), attacked with EOT over 2 draws');
    for (const r of results.filter((x) => !x.skipped)) expect(r.defended).toBeDefined();
    const bad = await runJob({ attack: 'fgsm', target: 'zebra' });
    expect(bad).toMatchObject({ state: 'failed', error: "target: 'zebra' is not a class of this model (cat, dog, bird, fish)" });
    const missing = await runJob({ attack: 'fgsm', images: [{ set: 'pets', image: 'cat.jpg' }] });
    expect(missing).toMatchObject({ state: 'failed', error: "scene set 'pets' has no image 'cat.jpg'" });
  });

  it('stops a long query attack between two model queries, leaving no results.json', async () => {
    const { job } = parseResult('startJob', await ctx.service.call('startJob', { kind: 'digital', params: { model: 'lin', images, attack: 'square', settings: { eps: 1 / 255, queries: 1_000_000 } } }));
    // Between images the screen still hears from the run: the model queries so far.
    await until(() => progressOf(ctx.events, job.id).some((p) => /^attacking 2 images: \d+ model queries so far…$/.test(p.message ?? '')));
    await new Promise((r) => setTimeout(r, 200));
    const stoppedAt = Date.now();
    await ctx.service.call('cancelJob', { id: job.id });
    await until(() => lastJob(ctx.events, job.id)?.state === 'cancelled', 10_000);
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(existsSync(join(ctx.home, 'runs', lastJob(ctx.events, job.id)?.run as string, 'results.json'))).toBe(false);
  });

  it("gives each attack's defaults as the CLI has them", async () => {
    const defaults = async (params: Record<string, unknown>) => parseResult('digitalDefaults', await ctx.service.call('digitalDefaults', params));
    expect(await defaults({ attack: 'fgsm' })).toMatchObject({ eps: 8 / 255, norm: 'linf', seed: 0 });
    expect(await defaults({ attack: 'pgd', norm: 'l2' })).toMatchObject({ eps: 1, norm: 'l2', steps: 20, randomStart: true });
    expect(await defaults({ attack: 'cw' })).toMatchObject({ steps: 100, searchSteps: 6, kappa: 0 });
    expect(await defaults({ attack: 'jsma' })).toMatchObject({ candidates: 256, kappa: 2, maxFraction: 0.1 });
    expect(await defaults({ attack: 'transfer', via: 'mifgsm' })).toMatchObject({ steps: 10, mu: 1 });
    expect(await defaults({ attack: 'universal' })).toMatchObject({ eps: 10 / 255, norm: 'linf', steps: 40, overshoot: 0.02, maxIter: 10 });
    await expect(ctx.service.call('digitalDefaults', { attack: 'patch' })).rejects.toThrow(/digitalDefaults: invalid request: attack/);
  });

  it('refuses results of a run that is not a digital attack', async () => {
    mkdirSync(join(ctx.home, 'runs', 'a-patch'), { recursive: true });
    await expect(ctx.service.call('digitalResults', { run: 'a-patch' })).rejects.toThrow("run 'a-patch' has no results.json: it is not a digital attack, or it was stopped before it finished");
    await expect(ctx.service.call('digitalResults', { run: '../x' })).rejects.toThrow(/digitalResults: invalid request: run/);
  });
});
