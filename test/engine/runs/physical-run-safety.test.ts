import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resumePhysicalAttack, runPhysicalAttack } from '../../../src/engine/attacks/physical/run';
import { LOCK_FILE } from '../../../src/engine/runs/lock';
import { ROOT, tempDir } from '../../helpers/paths';
import { toyConfig } from '../../helpers/toy-config';
import { toyDetector } from '../../helpers/toy-detector';
import { writeToyScenes } from '../../helpers/toy-scenes';

let scenes: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  scenes = join(tempDir('patchlab-run-safety-'), 'scenes');
  mkdirSync(scenes);
  await writeToyScenes(scenes, 4);
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

const record = (dir: string): { status: string; error?: string; steps: { done: number } } => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));

describe('physical runs: one writer, and failures recorded', () => {
  it('a run that throws mid-way ends as failed with the reason in run.json and frees the folder', async () => {
    const dir = join(tempDir(), 'run');
    const run = runPhysicalAttack(toyConfig(scenes, { steps: 12 }), dir, {
      target: toyDetector(),
      previewEvery: 0,
      onProgress: (p) => {
        if (p.step === 5) throw new Error('ENOSPC: no space left on device, write');
      },
    });
    await expect(run).rejects.toThrow(/ENOSPC/);
    expect(record(dir)).toMatchObject({ status: 'failed', error: 'ENOSPC: no space left on device, write' });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    // Failed is not final: the run resumes from its last checkpoint.
    const resumed = await resumePhysicalAttack(dir, { target: toyDetector(), previewEvery: 0 });
    expect(resumed.status).toBe('done');
    expect(record(dir).status).toBe('done');
    expect(record(dir).error).toBeUndefined();
  });

  it('--resume while another process runs the same folder fails with one line and leaves its run alone', async () => {
    const dir = join(tempDir(), 'busy');
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/physical-child.ts'), 'start', dir, scenes], { cwd: ROOT });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('step 3') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    await expect(resumePhysicalAttack(dir, { target: toyDetector(), previewEvery: 0 })).rejects.toThrow(new RegExp(`run is in use by process ${child.pid}`));
    await expect(runPhysicalAttack(toyConfig(scenes), dir, { target: toyDetector(), previewEvery: 0 })).rejects.toThrow(/already holds a run|in use/);
    const done = new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.on('exit', () => resolve(out));
    });
    expect(await done).toMatch(/done 40/);
    expect(record(dir)).toMatchObject({ status: 'done', steps: { done: 40 } });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});
