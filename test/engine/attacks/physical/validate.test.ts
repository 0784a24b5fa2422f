import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveAttackConfig } from '../../../../src/engine/attacks/physical/config';
import { runPhysicalAttack } from '../../../../src/engine/attacks/physical/run';
import { makeValidator } from '../../../../src/engine/attacks/physical/validate';
import { createBatchRenderer } from '../../../../src/engine/render/renderer';
import { shapeMask } from '../../../../src/engine/render/shapes';
import { makePlane } from '../../../../src/engine/render/texture';
import { readPatchPng } from '../../../../src/engine/runs/artifacts';
import { readCheckpoint } from '../../../../src/engine/runs/checkpoint';
import { RunStore } from '../../../../src/engine/runs/store';
import { tempDir } from '../../../helpers/paths';
import { toyConfig } from '../../../helpers/toy-config';
import { toyDetector } from '../../../helpers/toy-detector';
import { writeToyScenes } from '../../../helpers/toy-scenes';

let train: string;
let val: string;

beforeAll(async () => {
  const root = tempDir('patchlab-validate-');
  train = join(root, 'train');
  val = join(root, 'val');
  mkdirSync(train);
  mkdirSync(val);
  await writeToyScenes(train, 6, 1);
  await writeToyScenes(val, 3, 2);
});

describe('epochs and validation', () => {
  it('derives the steps from epochs over the training scenes', async () => {
    const out = join(tempDir('patchlab-epochs-'), 'run');
    await runPhysicalAttack(toyConfig(train, { epochs: 2, batch: 4 }), out, { target: toyDetector(), previewEvery: 0 });
    const record = RunStore.open(out).readRecord();
    expect(record.steps).toEqual({ done: 3, total: 3 });
    expect(record.notes).toContain('epochs: 2 x 6 scenes / batch 4 = 3 steps');
  });

  it('scores the patch on validation scenes every K steps, keeps the best one and stops when it stops improving', async () => {
    const out = join(tempDir('patchlab-val-'), 'run');
    await runPhysicalAttack(toyConfig(train, { steps: 40, valScenes: val, valEvery: 2, valPatience: 2, optimiser: { lr: 0.3 } }), out, { target: toyDetector(), previewEvery: 0 });
    const store = RunStore.open(out);
    const record = store.readRecord();
    const vals = store.readMetrics().filter((m) => m.val !== undefined);
    expect(vals.map((m) => m.step).every((s) => s % 2 === 0)).toBe(true);
    for (const v of vals) expect(v.val).toBeGreaterThanOrEqual(0);
    const best = Math.min(...vals.map((m) => m.val as number));
    const summary = record.summary as { validation: { recall: number; step: number }; earlyStopped: boolean };
    expect(summary.validation.recall).toBe(best);
    expect(vals.find((m) => m.step === summary.validation.step)?.val).toBe(best);
    expect(record.seen?.specs).toEqual([train, val]);
    if (summary.earlyStopped) {
      // Stopped after two rounds without a better score: the last two scores did not beat the best.
      expect(vals.slice(-2).every((m) => (m.val as number) >= best)).toBe(true);
      expect(record.steps.done).toBeLessThan(40);
    }
    // patch.png is the best patch, not the last texture, whenever they differ.
    const { texture } = await readPatchPng(join(out, 'patch.png'), 32);
    const last = readCheckpoint(join(out, 'checkpoint.bin'))!.texture;
    if (summary.validation.step !== record.steps.done) expect(texture.data.some((v, i) => Math.abs(v - last[i]) > 0.02)).toBe(true);
  });

  it("judges validation scenes whole: training's scene crops do not cut people out of its views", async () => {
    const score = async (eot: Record<string, unknown>): Promise<number> => {
      const config = resolveAttackConfig(toyConfig(train, { valScenes: val, eot }));
      const mask = await shapeMask(config.shape, config.resolution);
      const compositor = createBatchRenderer(mask.mask);
      try {
        const validator = await makeValidator(config, toyDetector(), mask, compositor, () => {});
        const grey = makePlane(mask.mask.width, mask.mask.height, 3);
        grey.data.fill(0.5);
        return await validator!.score(grey);
      } finally {
        await compositor.close();
      }
    };
    const plain = await score({});
    expect(plain).toBeGreaterThan(0);
    expect(await score({ sceneCrop: [0.3, 0.3], sceneFlip: 1 })).toBe(plain);
  });
});
