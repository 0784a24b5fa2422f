import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPhysicalAttack } from '../../../../src/engine/attacks/physical/run';
import { evaluateRun } from '../../../../src/engine/evaluate/evaluate';
import { RunStore } from '../../../../src/engine/runs/store';
import { tempDir } from '../../../helpers/paths';
import { toyFaceDescriptor, toyFaceDetector, writeToyFaces } from '../../../helpers/toy-faces';

let wearer: string;
let others: string[];
let root: string;

beforeAll(async () => {
  root = tempDir('patchlab-glasses-');
  const dir = join(root, 'faces');
  mkdirSync(dir);
  const files = await writeToyFaces(dir, 3);
  wearer = files[0];
  others = files.slice(1);
});

describe('eyeglass frames (toy face descriptor)', () => {
  const target = toyFaceDescriptor();
  const common = { attack: 'glasses' as const, model: 'toy-faces', resolution: 96, steps: 30, batch: 4, exportSize: 300, sampleCount: 4, checkpointEvery: 10 };

  it('dodging: the wearer stops matching their own enrolled face on held-out views', async () => {
    const run = join(root, 'dodge');
    const result = await runPhysicalAttack({ ...common, goal: 'dodge', scenes: wearer }, run, { target, faceDetector: toyFaceDetector, previewEvery: 0 });
    expect(result.status).toBe('done');
    const record = RunStore.open(run).readRecord();
    expect(record.config).toMatchObject({ shape: { kind: 'eyeglasses' }, placement: { kind: 'eyes' }, init: '#c8a040' });
    const report = await evaluateRun(run, { scenes: wearer, views: 12 }, { target, faceDetector: toyFaceDetector });
    expect(report.metric).toMatch(/not matching/);
    const { patch, clean } = report.variants;
    const noise = report.variants['noise control'];
    expect(clean.success).toBeLessThan(0.5);
    expect(patch.success).toBeGreaterThan(0.9);
    expect(patch.similarity!.wearer).toBeLessThan(noise.similarity!.wearer - 0.1);
  });

  it('impersonation: the wearer matches the chosen target', async () => {
    const run = join(root, 'impersonate');
    await runPhysicalAttack({ ...common, goal: 'impersonate', target: others[0], scenes: wearer, steps: 40 }, run, { target, faceDetector: toyFaceDetector, previewEvery: 0 });
    const report = await evaluateRun(run, { scenes: wearer, views: 12 }, { target, faceDetector: toyFaceDetector });
    // The toy's frames cover too little of its descriptor to flip the identity; they must still
    // pull every view towards the target far more than frames of noise do.
    const { patch, clean } = report.variants;
    const noise = report.variants['noise control'];
    expect(clean.similarity!.target).toBeLessThan(0.4);
    expect(patch.similarity!.target).toBeGreaterThan(noise.similarity!.target! + 0.15);
    expect(patch.similarity!.wearer).toBeLessThan(noise.similarity!.wearer);
    expect(report.threshold).toBe(0.9);
    expect(RunStore.open(run).readRecord().config).toMatchObject({ awayFromWearer: 0.5 });

    // Judged at a threshold below every view's target similarity, success is "the target beats the wearer" alone.
    const lenient = await evaluateRun(run, { scenes: wearer, views: 12, threshold: -1, out: join(root, 'lenient') }, { target, faceDetector: toyFaceDetector });
    expect(lenient.threshold).toBe(-1);
    expect(lenient.variants.clean.success).toBe(0);
    expect(lenient.variants.clean.match).toBe(1);
    expect(lenient.variants.patch.success).toBeGreaterThanOrEqual(patch.success);
    expect(lenient.variants.patch.similarity).toEqual(patch.similarity);
  });
});
