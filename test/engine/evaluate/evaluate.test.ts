import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPhysicalAttack } from '../../../src/engine/attacks/physical/run';
import { evaluateRun, type EvalReport } from '../../../src/engine/evaluate/evaluate';
import { binOutcomes } from '../../../src/engine/evaluate/bins';
import { tempDir } from '../../helpers/paths';
import { toyConfig } from '../../helpers/toy-config';
import { toyDetector } from '../../helpers/toy-detector';
import { writeToyScenes } from '../../helpers/toy-scenes';

let run: string;
let held: string;
let report: EvalReport;

beforeAll(async () => {
  const root = tempDir('patchlab-eval-');
  const scenes = join(root, 'train');
  held = join(root, 'held');
  mkdirSync(scenes);
  mkdirSync(held);
  await writeToyScenes(scenes, 4, 1);
  await writeToyScenes(held, 3, 2);
  run = join(root, 'run');
  await runPhysicalAttack(toyConfig(scenes), run, { target: toyDetector(), previewEvery: 0 });
  report = await evaluateRun(run, { scenes: held, views: 8 }, { target: toyDetector() });
});

describe('evaluateRun (toy detector)', () => {
  it('hides persons on held-out scenes far better than the same-size controls', () => {
    expect(report.metric).toBe('person recall');
    expect(report.views).toBe(24);
    expect(report.seenInTraining).toEqual([]);
    expect(report.variants.clean.recall).toBe(1);
    const patch = report.variants.patch.recall as number;
    expect(patch).toBeLessThan(0.2);
    expect(patch).toBeLessThan((report.variants['noise control'].recall as number) - 0.1);
    expect(patch).toBeLessThan((report.variants['natural control'].recall as number) - 0.2);
    expect(report.variants.patch.success).toBeCloseTo(1 - patch, 6);
  });

  it('draws views from wider ranges than training', () => {
    expect(report.eot.rotation).toBeCloseTo(30);
    expect(report.eot.tilt).toBeCloseTo(45);
    expect(report.eot.scale[0]).toBeLessThan(0.8);
  });

  it('writes eval.json and PNG/SVG plots with the same numbers', () => {
    const json = JSON.parse(readFileSync(join(run, 'eval.json'), 'utf8')) as EvalReport;
    expect(json.variants).toEqual(report.variants);
    for (const f of ['eval-bins.png', 'eval-bins.svg', 'eval-summary.png', 'eval-summary.svg']) expect(existsSync(join(run, f))).toBe(true);
    const svg = readFileSync(join(run, 'eval-summary.svg'), 'utf8');
    const pct = (r: number | undefined): string => `${Math.round((r ?? 0) * 100)}%`;
    expect(svg).toContain(pct(report.variants.patch.recall));
    expect(svg).toContain(pct(report.variants['noise control'].recall));
    const bins = Object.values(report.bins.rotation);
    expect(bins.reduce((n, b) => n + b.views, 0)).toBe(24);
  });

  it('evaluates a bare patch PNG given the model, class and size, with the same numbers as its run', async () => {
    const out = tempDir();
    const fromPng = await evaluateRun(join(run, 'patch.png'), { model: 'toy-detector', class: 'person', size: 0.4, scenes: held, views: 8, out, eot: report.eot }, { target: toyDetector() });
    expect(fromPng.variants.patch.recall).toBeCloseTo(report.variants.patch.recall as number, 1);
    expect(existsSync(join(out, 'eval.json'))).toBe(true);
    await expect(evaluateRun(join(run, 'patch.png'), { scenes: held })).rejects.toThrow(/needs --model/);
  });

  it('--defence: every view goes through the input defences, and the report names them', async () => {
    const squeezed = await evaluateRun(run, { scenes: held, views: 8, out: tempDir(), defence: 'random-resize=0.3,bit-depth=2' }, { target: toyDetector() });
    expect(squeezed.defence).toBe('random-resize(0.3) -> bit-depth(2)');
    expect(report.defence).toBeUndefined();
    // Shrunk to as little as 30% and moved, persons no longer overlap their clean boxes (IoU < 0.5) in many views.
    expect(squeezed.variants.clean.recall).toBeLessThan(report.variants.clean.recall as number);
    await expect(evaluateRun(run, { scenes: held, views: 8, defence: 'ensemble=a.onnx' }, { target: toyDetector() })).rejects.toThrow(/--defence: eval applies input defences .* 'ensemble'/);
    await expect(evaluateRun(run, { scenes: held, views: 8, defence: 'blur' }, { target: toyDetector() })).rejects.toThrow(/--defence: unknown defence 'blur'/);
  });

  it('--min-visible: leaves out the objects whose patch pokes out of the photo, and says how many', async () => {
    const png = join(run, 'patch.png');
    const base = { model: 'toy-detector', class: 'person', scenes: held, views: 2, out: tempDir(), eot: report.eot };
    const counted = (r: EvalReport): number => r.perScene.reduce((n, s) => n + s.objects, 0);
    const leftOut = (r: EvalReport): number[] => (/(\d+) of (\d+) person\(s\) left out/.exec(r.notes.join('\n')) ?? []).slice(1).map(Number);
    const all = await evaluateRun(png, { ...base, size: 1.5 }, { target: toyDetector() });
    expect(counted(all)).toBeGreaterThan(2);
    expect(all.notes.join('\n')).not.toMatch(/left out/);
    // A patch 1.5 box diagonals (40 px) wide sticks out of the 64-px frame for these persons.
    const big = await evaluateRun(png, { ...base, size: 1.5, minVisible: 0.99 }, { target: toyDetector() });
    const [left, of] = leftOut(big);
    expect(of).toBe(counted(all));
    expect(left).toBeGreaterThan(0);
    expect(counted(big)).toBe(of - left);
    // Asking for less of it in view leaves out fewer; a small patch stays inside the box, so inside the photo.
    expect(leftOut(await evaluateRun(png, { ...base, size: 1.5, minVisible: 0.3 }, { target: toyDetector() }))[0]).toBeLessThan(left);
    expect(leftOut(await evaluateRun(png, { ...base, size: 0.2, minVisible: 0.99 }, { target: toyDetector() }))[0]).toBe(0);
  });

  it('is deterministic for a seed', async () => {
    const again = await evaluateRun(run, { scenes: held, views: 8, out: tempDir() }, { target: toyDetector() });
    expect(again.variants).toEqual(report.variants);
  });
});

describe('binOutcomes', () => {
  it('averages each variant per equal-width bin', () => {
    const bins = binOutcomes([0, 1, 2, 3, 10], { a: [1, 0, 1, 1, 0], b: [0, 0, 0, 1, 1] }, 2);
    expect(bins.map((b) => [b.lo, b.views, b.rates.a, b.rates.b])).toEqual([
      [0, 4, 0.75, 0.25],
      [5, 1, 0, 1],
    ]);
  });
});
