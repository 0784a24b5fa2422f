import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { channelPeaks } from '../../../../src/engine/attacks/physical/objective';
import { runPhysicalAttack } from '../../../../src/engine/attacks/physical/run';
import { RunStore } from '../../../../src/engine/runs/store';
import { floatTensor } from '../../../../src/engine/tensor/tensor';
import { tempDir } from '../../../helpers/paths';
import { toyConfig } from '../../../helpers/toy-config';
import { toyDetector } from '../../../helpers/toy-detector';
import { writeToyScenes } from '../../../helpers/toy-scenes';

describe('hide loss: top-k peaks', () => {
  it('finds the 3x3 local maxima of one class above the floor, strongest first', () => {
    // NHWC [1, 4, 5, 2]: class 1 has peaks 0.9 at (0,0) and 0.6 at (3,4), a 0.5 shoulder beside the 0.9 and 0.2 noise.
    const t = floatTensor([1, 4, 5, 2]);
    const set = (y: number, x: number, v: number): void => void (t.data[(y * 5 + x) * 2 + 1] = v);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 5; x++) set(y, x, 0.2);
    set(0, 0, 0.9);
    set(0, 1, 0.5);
    set(3, 4, 0.6);
    t.data[(2 * 5 + 2) * 2] = 0.99; // class 0, ignored
    const peaks = channelPeaks(t, 0, 3, 1, 0.3);
    expect(peaks).toEqual([{ value: expect.closeTo(0.9, 6), index: 1 }, { value: expect.closeTo(0.6, 6), index: (3 * 5 + 4) * 2 + 1 }]);
    expect(channelPeaks(t, 0, 3, 1, 0.95)).toEqual([]);
  });

  it('trains a hide patch against the toy detector and lowers the summed peaks', async () => {
    const root = tempDir('patchlab-topk-');
    const scenes = join(root, 'scenes');
    mkdirSync(scenes);
    await writeToyScenes(scenes, 4);
    const out = join(root, 'run');
    await runPhysicalAttack(toyConfig(scenes, { hideLoss: 'topk', hideTopK: 2, steps: 30 }), out, { target: toyDetector(), previewEvery: 0 });
    const m = RunStore.open(out).readMetrics();
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(m.slice(-5).map((x) => x.terms.task))).toBeLessThan(mean(m.slice(0, 5).map((x) => x.terms.task)));
    expect((RunStore.open(out).readRecord().summary as { objective: string }).objective).toBe('sum of the 2 strongest person peaks above 0.25');
  }, 60_000);
});
