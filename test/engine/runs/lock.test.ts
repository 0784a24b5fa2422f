import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRunLock, LOCK_FILE, releaseLockOfDeadThread } from '../../../src/engine/runs/lock';
import { RunStore } from '../../../src/engine/runs/store';
import { ROOT, tempDir } from '../../helpers/paths';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Another process that takes the run folder's lock and then sleeps until killed. */
async function holdInOtherProcess(dir: string): Promise<ChildProcess> {
  const script = `import { acquireRunLock } from ${JSON.stringify(join(ROOT, 'src/engine/runs/lock.ts'))}; acquireRunLock(${JSON.stringify(dir)}); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return child;
}

describe('run folder lock', () => {
  it('a second writer in the same process gets one line naming the holder', () => {
    const dir = join(tempDir(), 'run');
    const first = RunStore.create(dir);
    expect(() => RunStore.create(dir)).toThrow(/run is in use by process \d+/);
    first.writeFile('run.json', '{}\n');
    expect(() => RunStore.openForWriting(dir)).toThrow(/in use/);
    first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses while another live process holds it, and takes it over once that process is killed', async () => {
    const dir = tempDir();
    const child = await holdInOtherProcess(dir);
    const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string };
    expect(owner).toMatchObject({ pid: child.pid, host: hostname() });
    expect(() => acquireRunLock(dir)).toThrow(new RegExp(`in use by process ${child.pid} .*on ${hostname()}`));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const lock = acquireRunLock(dir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('recovers a stale lock left by a dead process', () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: dead, thread: 0, host: hostname(), processStarted: Date.now() - 1000, acquired: new Date().toISOString() }));
    const lock = acquireRunLock(dir);
    lock.release();
  });

  it('does not presume a lock from another machine stale', () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, thread: 0, host: `not-${hostname()}`, processStarted: 0, acquired: 'then' }));
    expect(() => acquireRunLock(dir)).toThrow(/in use by process 1 on not-/);
  });

  it('a fresh create in a folder holding only a stale lock still works', () => {
    const dir = join(tempDir(), 'run');
    mkdirSync(dir);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: dead, thread: 0, host: hostname(), processStarted: 0, acquired: 'then' }));
    RunStore.create(dir).release();
  });

  it('a lock another thread of this process holds is presumed live until its supervisor says that thread died', () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, thread: 99, host: hostname(), processStarted: 0, acquired: 'then' }));
    expect(() => acquireRunLock(dir)).toThrow(new RegExp(`in use by process ${process.pid} thread 99`));
    releaseLockOfDeadThread(dir);
    acquireRunLock(dir).release();
  });
});
