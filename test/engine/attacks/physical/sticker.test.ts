import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPhysicalAttack } from '../../../../src/engine/attacks/physical/run';
import { evaluateRun } from '../../../../src/engine/evaluate/evaluate';
import { RunStore } from '../../../../src/engine/runs/store';
import { tempDir } from '../../../helpers/paths';
import { toyConfig } from '../../../helpers/toy-config';
import { toyDetector } from '../../../helpers/toy-detector';
import { writeToyScenes } from '../../../helpers/toy-scenes';

let scenes: string;
let root: string;

beforeAll(async () => {
  root = tempDir('patchlab-sticker-');
  scenes = join(root, 'scenes');
  mkdirSync(scenes);
  await writeToyScenes(scenes, 2);
});

describe('RP2 sticker (toy detector)', () => {
  it('hides the one object carrying a sticker of 15% of its box, far better than a noise sticker', async () => {
    const run = join(root, 'hide');
    await runPhysicalAttack(toyConfig(scenes, { attack: 'sticker', size: 0.15, steps: 40 }), run, { target: toyDetector(), previewEvery: 0 });
    const report = await evaluateRun(run, { scenes, views: 8, out: tempDir() }, { target: toyDetector() });
    // One object per scene is judged: the one carrying the sticker.
    expect(report.perScene.map((s) => s.objects)).toEqual([1, 1]);
    expect(report.variants.patch.recall).toBeLessThan((report.variants['noise control'].recall as number) - 0.2);
  });

  it('mislabel: lowers the true class and raises the target class (two-pass VJP objective)', async () => {
    const run = join(root, 'mislabel');
    const target = toyDetector();
    await runPhysicalAttack(toyConfig(scenes, { attack: 'sticker', goal: 'target', target: 'cat', size: 0.3, steps: 30 }), run, { target, previewEvery: 0 });
    const record = RunStore.open(run).readRecord();
    expect(record.summary?.objective).toBe('max person − max cat');
    const m = RunStore.open(run).readMetrics();
    const mean = (xs: typeof m): number => xs.reduce((a, x) => a + x.terms.task, 0) / xs.length;
    expect(mean(m.slice(-5))).toBeLessThan(mean(m.slice(0, 5)) - 0.3);
  });
});
