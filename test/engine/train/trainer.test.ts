import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrainCheckpoint } from '../../../src/engine/train/checkpoint';
import { loadFashionMnist, makeBatch, splitTrainVal, type Dataset } from '../../../src/engine/train/data';
import { resumeTraining, train, TRAIN_FILES } from '../../../src/engine/train/trainer';
import { tempDir } from '../../helpers/paths';
import { makeImageFolder } from '../../fixtures/train/folder';

const SMALL = { arch: 'cnn' as const, batch: 8, val: 8, lr: 0.01, schedule: 'constant' as const, threads: 1, checkpointEvery: 1 };

describe('data', () => {
  it('the validation split is disjoint from training and together they cover every image, the same for a seed', () => {
    const a = splitTrainVal(100, 20, 3);
    const b = splitTrainVal(100, 20, 3);
    expect([...a.val]).toEqual([...b.val]);
    expect(new Set([...a.train, ...a.val]).size).toBe(100);
    expect(a.val.length).toBe(20);
  });

  it('light augmentation shifts by at most 2 pixels and may mirror; none copies the pixels', async () => {
    const { Rng } = await import('../../../src/engine/random');
    const images = new Uint8Array(2 * 16).fill(0);
    images[5] = 255; // image 0, pixel (1, 1) of 4x4
    const data: Dataset = { name: 't', images, labels: Uint8Array.of(0, 1), count: 2, size: 4, labelNames: ['a', 'b'] };
    expect(makeBatch(data, [0], 'none').data[5]).toBe(1);
    for (let seed = 0; seed < 20; seed++) {
      const x = makeBatch(data, [0], 'light', new Rng(seed)).data;
      const lit = [...x.keys()].filter((i) => x[i] > 0);
      expect(lit.length).toBeLessThanOrEqual(1);
    }
  });

  it.skipIf(!existsSync('/usr/share/datasets/fashion-mnist'))('reads Debian’s Fashion-MNIST idx files (60k/10k, 28x28, 10 classes)', () => {
    const test = loadFashionMnist('test');
    expect(test.count).toBe(10_000);
    expect(test.size).toBe(28);
    expect(Math.max(...test.labels)).toBe(9);
  });
});

describe('training run', () => {
  it('learns a two-class image folder (>= 75% on its val split) and writes model, manifest, metrics and curve', async () => {
    const data = await makeImageFolder();
    const dir = join(tempDir('patchlab-train-'), 'run');
    const result = await train({ ...SMALL, data, epochs: 4 }, dir);
    for (const f of [TRAIN_FILES.model, TRAIN_FILES.manifest, TRAIN_FILES.metrics, TRAIN_FILES.checkpoint, `${TRAIN_FILES.curve}.svg`, `${TRAIN_FILES.curve}.png`]) expect(existsSync(join(dir, f)), f).toBe(true);
    const lines = readFileSync(join(dir, TRAIN_FILES.metrics), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.valAccuracy !== undefined)).toHaveLength(4);
    expect(result.valAccuracy).toBeGreaterThanOrEqual(0.75);
    const manifest = JSON.parse(readFileSync(join(dir, TRAIN_FILES.manifest), 'utf8'));
    expect(manifest.labels).toEqual(['horizontal', 'vertical']);
    expect(manifest.head).toEqual({ kind: 'classifier', output: 'logits', activation: 'logits' });
  });

  it('a run interrupted mid-epoch and resumed ends with the same weights as one that ran straight through', async () => {
    const data = await makeImageFolder(12);
    const root = tempDir('patchlab-train-');
    await train({ ...SMALL, data, epochs: 2 }, join(root, 'straight'));
    await expect(
      train({ ...SMALL, data, epochs: 2 }, join(root, 'broken'), (p) => {
        if (p.step === 3) throw new Error('power cut');
      }),
    ).rejects.toThrow('power cut');
    await resumeTraining(join(root, 'broken'));
    const a = readTrainCheckpoint(join(root, 'straight', TRAIN_FILES.checkpoint))!;
    const b = readTrainCheckpoint(join(root, 'broken', TRAIN_FILES.checkpoint))!;
    expect(b.step).toBe(a.step);
    for (const [name, w] of a.values) expect([...b.values.get(name)!], name).toEqual([...w]);
  });

  it("a run stopped by its signal (the app's Stop) checkpoints where it is, and resuming ends where a straight run does", async () => {
    const data = await makeImageFolder(12);
    const root = tempDir('patchlab-train-');
    // No periodic checkpoint inside the epoch: only the stop itself can save step 3.
    const config = { ...SMALL, data, epochs: 2, checkpointEvery: 100 };
    await train(config, join(root, 'straight'));
    const stop = new AbortController();
    const accuracies: number[] = [];
    await expect(
      train(config, join(root, 'stopped'), {
        signal: stop.signal,
        onProgress: (p) => {
          accuracies.push(p.trainAccuracy);
          if (p.step === 3) stop.abort();
        },
      }),
    ).rejects.toThrow(/training stopped at step 3 of \d+; resume with --resume/);
    expect(readTrainCheckpoint(join(root, 'stopped', TRAIN_FILES.checkpoint))!.step).toBe(3);
    expect(accuracies.every((a) => a >= 0 && a <= 1)).toBe(true);
    await resumeTraining(join(root, 'stopped'));
    const a = readTrainCheckpoint(join(root, 'straight', TRAIN_FILES.checkpoint))!;
    const b = readTrainCheckpoint(join(root, 'stopped', TRAIN_FILES.checkpoint))!;
    expect(b.step).toBe(a.step);
    for (const [name, w] of a.values) expect([...b.values.get(name)!], name).toEqual([...w]);
  });

  it('refuses a folder that holds a run and names bad data in one line', async () => {
    const data = await makeImageFolder(12);
    const dir = join(tempDir('patchlab-train-'), 'run');
    await train({ ...SMALL, data, epochs: 1 }, dir);
    await expect(train({ ...SMALL, data, epochs: 1 }, dir)).rejects.toThrow(`${dir}: already holds a training run (use --resume ${dir})`);
    await expect(train({ ...SMALL, data: '/nonexistent/dir', epochs: 1 }, join(dir, 'x'))).rejects.toThrow('/nonexistent/dir: not a folder of class folders (DIR/class/*.png)');
  });
});
