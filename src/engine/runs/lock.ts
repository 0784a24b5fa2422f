import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { UserError } from '../errors';

/** The lock file inside a run folder; a dot file so listings of run files skip it. */
export const LOCK_FILE = '.lock';

/** Who holds a run folder: enough to tell a live writer from one that died without cleaning up. */
export interface LockOwner {
  pid: number;
  /** Worker thread inside that process (the server runs its engine in a worker thread). */
  thread: number;
  host: string;
  /** When the owning process started (ms since epoch), so a recycled pid is not mistaken for the owner. */
  processStarted: number;
  /** When the lock was taken. */
  acquired: string;
}

/** Locks this thread holds, released on exit (a worker's uncaught error runs 'exit' handlers too). */
const held = new Set<string>();
let exitHookInstalled = false;

function releaseAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const path of held) rmSync(path, { force: true });
  });
}

function processStart(): number {
  return Math.round(Date.now() - process.uptime() * 1000);
}

function me(): LockOwner {
  return { pid: process.pid, thread: threadId, host: hostname(), processStarted: processStart(), acquired: new Date().toISOString() };
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? (parsed as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux: when a pid's process started, from /proc, to catch a pid recycled since the lock was taken. */
function linuxStartOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const boot = readFileSync('/proc/stat', 'utf8').match(/^btime (\d+)$/m);
    if (!Number.isFinite(ticks) || !boot) return undefined;
    return Number(boot[1]) * 1000 + (ticks / 100) * 1000;
  } catch {
    return undefined;
  }
}

/**
 * Whether a lock's owner can no longer be writing: same machine and its process is gone (or the
 * pid now names a process started after the lock's owner), or this very thread left it behind.
 * A lock from another machine (a shared folder) is never presumed stale.
 */
export function isStale(path: string, owner: LockOwner | undefined): boolean {
  // Empty or torn: its writer died while taking it, unless that is happening right now.
  if (!owner) return ageMs(path) > 10_000;
  if (owner.host !== hostname()) return false;
  // This process: a lock this thread no longer holds was left by a run that threw; another thread's is presumed live.
  if (owner.pid === process.pid) return owner.thread === threadId && !held.has(path);
  if (!pidAlive(owner.pid)) return true;
  const started = linuxStartOf(owner.pid);
  // /proc's start time has 10 ms ticks and boot time whole seconds: allow a few seconds of slack.
  return started !== undefined && typeof owner.processStarted === 'number' && started > owner.processStarted + 5000;
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}

function describe(owner: LockOwner | undefined): string {
  if (!owner) return 'another writer';
  const thread = owner.thread ? ` thread ${owner.thread}` : '';
  return `process ${owner.pid}${thread} on ${owner.host} since ${owner.acquired}`;
}

/** An exclusive claim on one run folder; release it when the run stops writing. */
export interface RunLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the run folder's lock or fails with one line naming who holds it. A lock left by a dead
 * process is taken over. Exclusive creation (`wx`) makes two racing writers see one winner.
 */
export function acquireRunLock(dir: string): RunLock {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      if (!isStale(path, owner)) throw new UserError(`${dir}: run is in use by ${describe(owner)}; wait for it to finish or stop it (if that process is gone, delete ${path})`);
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me()) + '\n');
    } finally {
      closeSync(fd);
    }
    held.add(path);
    releaseAllOnExit();
    let released = false;
    return {
      path,
      release: () => {
        if (released) return;
        released = true;
        held.delete(path);
        rmSync(path, { force: true });
      },
    };
  }
  throw new UserError(`${dir}: could not take the run's lock (${path} keeps reappearing)`);
}

/**
 * For a supervisor whose engine thread died: drops a lock that another thread of this process
 * left (a worker thread that was terminated runs no exit handlers), so the run can be resumed.
 * Locks of other processes are left to the usual stale check.
 */
export function releaseLockOfDeadThread(dir: string): void {
  const path = join(dir, LOCK_FILE);
  const owner = readOwner(path);
  if (owner && owner.host === hostname() && owner.pid === process.pid && owner.thread !== threadId) rmSync(path, { force: true });
}

/** Runs `work` holding the folder's lock (creating the folder), and releases it however `work` ends. */
export async function withRunLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const lock = acquireRunLock(dir);
  try {
    return await work();
  } finally {
    lock.release();
  }
}
