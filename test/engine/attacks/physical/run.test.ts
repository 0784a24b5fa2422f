import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { resumePhysicalAttack, runPhysicalAttack } from '../../../../src/engine/attacks/physical/run';
import { readCheckpoint } from '../../../../src/engine/runs/checkpoint';
import { RunStore } from '../../../../src/engine/runs/store';
import { ROOT, tempDir } from '../../../helpers/paths';
import { toyConfig } from '../../../helpers/toy-config';
import { toyDetector } from '../../../helpers/toy-detector';
import { writeToyScenes } from '../../../helpers/toy-scenes';

let scenes: string;
let reference: string;

beforeAll(async () => {
  const root = tempDir('patchlab-physical-');
  scenes = join(root, 'scenes');
  mkdirSync(scenes);
  await writeToyScenes(scenes, 4);
  reference = join(root, 'reference');
  await runPhysicalAttack(toyConfig(scenes), reference, { target: toyDetector(), previewEvery: 0 });
});

function finalTexture(dir: string): Float32Array {
  const ck = readCheckpoint(join(dir, 'checkpoint.bin'));
  if (!ck) throw new Error(`${dir}: no checkpoint`);
  return ck.texture;
}

describe('physical patch attack (toy detector)', () => {
  it('writes a complete run directory', async () => {
    const store = RunStore.open(reference);
    const record = store.readRecord();
    expect(record.status).toBe('done');
    expect(record.model.hash).toBe('toy-detector-v1');
    expect(record.config).toMatchObject({ attack: 'patch', goal: 'hide', class: 'person', steps: 40, batch: 4, seed: 1 });
    expect(record.steps).toEqual({ done: 40, total: 40 });
    expect(store.readMetrics().map((m) => m.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const png = await sharp(join(reference, 'patch.png')).metadata();
    expect([png.width, png.height, png.channels]).toEqual([128, 128, 4]);
    expect(existsSync(join(reference, 'samples.png'))).toBe(true);
  });

  it('is reproducible: same seed, same patch', async () => {
    const again = join(tempDir(), 'again');
    await runPhysicalAttack(toyConfig(scenes), again, { target: toyDetector(), previewEvery: 0 });
    expect(finalTexture(again)).toEqual(finalTexture(reference));
  });

  it('pauses on abort and resumes to exactly the uninterrupted result', async () => {
    const dir = join(tempDir(), 'paused');
    const controller = new AbortController();
    const paused = await runPhysicalAttack(toyConfig(scenes), dir, {
      target: toyDetector(),
      previewEvery: 0,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step === 13) controller.abort();
      },
    });
    expect(paused).toMatchObject({ status: 'paused', stepsDone: 13 });
    expect(RunStore.open(dir).readRecord().status).toBe('paused');
    const done = await resumePhysicalAttack(dir, { target: toyDetector(), previewEvery: 0 });
    expect(done).toMatchObject({ status: 'done', stepsDone: 40 });
    expect(finalTexture(dir)).toEqual(finalTexture(reference));
  });

  it('survives SIGKILL mid-run: --resume loses only the steps since the last checkpoint', async () => {
    const dir = join(tempDir(), 'killed');
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/physical-child.ts'), 'start', dir, scenes], { cwd: ROOT });
    let killedAfter = -1;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const steps = [...out.matchAll(/step (\d+)/g)].map((m) => Number(m[1]));
        const last = steps.at(-1) ?? 0;
        if (last >= 17 && killedAfter < 0) {
          killedAfter = last;
          child.kill('SIGKILL');
        }
      });
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited without being killed: ${out}`))));
    });
    const ck = readCheckpoint(join(dir, 'checkpoint.bin'));
    expect(ck?.step).toBeGreaterThanOrEqual(15);
    expect(ck?.step).toBeLessThanOrEqual(killedAfter);
    expect(killedAfter - (ck?.step ?? 0)).toBeLessThan(5 + 3);
    const resumed = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/physical-child.ts'), 'resume', dir, scenes], { cwd: ROOT });
    const out = await new Promise<string>((resolve) => {
      let text = '';
      resumed.stdout.on('data', (c: Buffer) => (text += c.toString()));
      resumed.on('exit', () => resolve(text));
    });
    expect(out).toContain('done 40');
    // The first step the resumed process ran is the one after the checkpoint.
    expect(Number(/step (\d+)/.exec(out)?.[1])).toBe((ck?.step ?? 0) + 1);
    expect(finalTexture(dir)).toEqual(finalTexture(reference));
    const steps = RunStore.open(dir).readMetrics().map((m) => m.step);
    expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status).toBe('done');
  });

  it('refuses to overwrite a run and names the flag to continue it', async () => {
    await expect(runPhysicalAttack(toyConfig(scenes), reference, { target: toyDetector() })).rejects.toThrow(/already holds a run \(use --resume/);
  });
});
