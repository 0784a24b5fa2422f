import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint';
import { acquireRunLock, LOCK_FILE, type RunLock } from './lock';
import { appendMetricsLine, readMetricsLines, readRunRecord, RUN_METRICS, RUN_RECORD, writeRunRecord, type RunRecordBase, type RunStatus } from './record';

export type { RunStatus };

export const RUN_FILES = {
  run: RUN_RECORD,
  patch: 'patch.png',
  metrics: RUN_METRICS,
  checkpoint: 'checkpoint.bin',
  samples: 'samples.png',
  eval: 'eval.json',
} as const;

/** run.json of a physical attack (runs/record.ts's format): enough to reproduce, resume and evaluate the run. */
export interface RunRecord extends RunRecordBase {
  id: string;
  updated: string;
  status: RunStatus;
  model: { name: string; hash: string; width: number; height: number; task: string };
  versions: Record<string, string>;
  seed: number;
  steps: { done: number; total: number };
  /** Scene files the optimiser saw, absolute paths (evaluation should use others). */
  scenes: string[];
  /** What the run trained and validated on (scene-set specs and picture hashes): `eval --scenes set:NAME:test` refuses overlap. */
  seen?: { specs: string[]; dhashes: string[] };
  notes: string[];
}

/** One line of metrics.jsonl. */
export interface MetricsLine {
  step: number;
  lr: number;
  loss: number;
  terms: Record<string, number>;
  success: number;
  ms: number;
  /** Process CPU time of the step (all threads): unlike `ms`, it barely moves when other processes share the cores. */
  cpuMs?: number;
  /** Where the step's milliseconds went: compositor forward, model forward+backward (oracle), compositor backward, regularisers + optimiser. */
  timing?: { render: number; model: number; backward: number; rest: number };
  /** Peak resident memory of the process so far, MiB. */
  peakRssMb?: number;
  /** Validation score at this step (hide: the class's recall on the validation scenes). */
  val?: number;
}

/**
 * A run directory on disk; every write that matters is atomic. A store made by `create` or
 * `openForWriting` holds the folder's lock (one writer per run) until `release`.
 */
export class RunStore {
  private constructor(
    readonly dir: string,
    private readonly lock?: RunLock,
  ) {}

  /** Fails unless `dir` can hold a new run (absent, or an empty folder; a lock file alone is the lock's business). */
  static assertCreatable(dir: string): void {
    const abs = resolve(dir);
    if (existsSync(abs)) {
      if (!statSync(abs).isDirectory()) throw new UserError(`${dir}: exists and is not a folder`);
      if (existsSync(join(abs, RUN_FILES.run))) throw new UserError(`${dir}: already holds a run (use --resume ${dir} to continue it, or pick another --out)`);
      if (readdirSync(abs).some((f) => f !== LOCK_FILE)) throw new UserError(`${dir}: folder is not empty`);
    }
  }

  /** A new run in `dir`, which must not hold another run; the store holds the folder's lock. */
  static create(dir: string): RunStore {
    RunStore.assertCreatable(dir);
    const abs = resolve(dir);
    mkdirSync(abs, { recursive: true });
    const lock = acquireRunLock(abs);
    try {
      // Checked again under the lock: another writer may have started between the first check and the lock.
      RunStore.assertCreatable(dir);
    } catch (error) {
      lock.release();
      throw error;
    }
    return new RunStore(abs, lock);
  }

  /** A run to read (evaluate, list): no lock, no writes expected. */
  static open(dir: string): RunStore {
    const abs = resolve(dir);
    if (!existsSync(join(abs, RUN_FILES.run))) throw new UserError(`${dir}: not a run folder (no ${RUN_FILES.run})`);
    return new RunStore(abs);
  }

  /** A run to continue: fails with one line when another process is writing it. */
  static openForWriting(dir: string): RunStore {
    const abs = RunStore.open(dir).dir;
    return new RunStore(abs, acquireRunLock(abs));
  }

  /** Lets another writer take the run. */
  release(): void {
    this.lock?.release();
  }

  /** Ends the run as 'failed' with the reason, as far as the disk still allows. */
  markFailed(record: RunRecord, reason: string): void {
    record.status = 'failed';
    record.error = reason;
    try {
      this.writeRecord(record);
    } catch {
      // A full disk may refuse even this; the lock's release still tells others the writer is gone.
    }
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  readRecord(): RunRecord {
    const record = readRunRecord<RunRecord>(this.dir);
    if (!record) throw new UserError(`${this.dir}: not a run folder (no ${RUN_FILES.run})`);
    return record;
  }

  writeRecord(record: RunRecord): void {
    writeRunRecord(this.dir, record);
  }

  appendMetrics(line: MetricsLine): void {
    appendMetricsLine(this.path(RUN_FILES.metrics), line);
  }

  readMetrics(): MetricsLine[] {
    return readMetricsLines<MetricsLine>(this.path(RUN_FILES.metrics));
  }

  /** Drops metrics of steps after the checkpoint's `completed` steps (they will be run again). */
  truncateMetrics(completed: number): void {
    const kept = this.readMetrics().filter((m) => m.step <= completed);
    writeFileAtomic(this.path(RUN_FILES.metrics), kept.map((m) => JSON.stringify(m) + '\n').join(''));
  }

  saveCheckpoint(ck: Checkpoint): void {
    writeCheckpoint(this.path(RUN_FILES.checkpoint), ck);
  }

  loadCheckpoint(): Checkpoint | undefined {
    return readCheckpoint(this.path(RUN_FILES.checkpoint));
  }

  writeFile(name: string, data: string | Uint8Array): void {
    writeFileAtomic(this.path(name), data);
  }
}
