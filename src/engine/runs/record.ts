import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';

/**
 * The one run-record format of every run the engine writes (physical attacks, digital attacks,
 * training): run.json with the fields below, and metrics.jsonl with one JSON object a line.
 * Written atomically; read back with the records of older runs (train.json of training runs,
 * results.json alone of digital runs) mapped into the same shape.
 */
export const RUN_RECORD = 'run.json';
export const RUN_METRICS = 'metrics.jsonl';

export type RunStatus = 'running' | 'paused' | 'done' | 'failed';

export interface RunRecordBase {
  /** What ran: `attack/<patch|sticker|glasses>`, `digital/<attack>`, `train`. */
  kind: string;
  created: string;
  updated?: string;
  status?: RunStatus;
  /** The full validated configuration, defaults filled in. */
  config: Record<string, unknown>;
  steps?: { done: number; total: number };
  /** The run's headline numbers once it has any. */
  summary?: Record<string, unknown>;
  /** Why a run ended as 'failed' (the error's first line). */
  error?: string;
}

/** Writes `dir/run.json` atomically, stamped with the time of writing. */
export function writeRunRecord(dir: string, record: RunRecordBase): void {
  writeFileAtomic(join(dir, RUN_RECORD), JSON.stringify({ ...record, updated: new Date().toISOString() }, null, 2) + '\n');
}

/** run.json of `dir`, or an older run's record in the same shape; undefined where the folder holds no run. */
export function readRunRecord<R extends RunRecordBase = RunRecordBase>(dir: string): R | undefined {
  const file = join(dir, RUN_RECORD);
  if (existsSync(file)) return parseRecord(file) as R;
  const legacyTrain = join(dir, 'train.json');
  if (existsSync(legacyTrain)) return { status: undefined, ...(parseRecord(legacyTrain) as object), kind: 'train' } as R;
  const legacyDigital = join(dir, 'results.json');
  if (existsSync(legacyDigital)) {
    const summary = ((parseRecord(legacyDigital) as { summary?: Record<string, unknown> }).summary ?? {}) as Record<string, unknown>;
    const config = Object.fromEntries(['attack', 'model', 'defence', 'transferTo'].filter((k) => summary[k] !== undefined).map((k) => [k, summary[k]]));
    return { kind: `digital/${String(summary.attack ?? 'unknown')}`, created: statSync(legacyDigital).mtime.toISOString(), status: 'done', config, summary } as unknown as R;
  }
  return undefined;
}

function parseRecord(file: string): unknown {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!parsed || typeof parsed !== 'object') throw new Error('not a JSON object');
    return parsed;
  } catch (error) {
    throw new UserError(`${file}: unreadable (${(error as Error).message})`);
  }
}

/** Appends one line to a run's metrics.jsonl. */
export function appendMetricsLine(file: string, line: object): void {
  appendFileSync(file, JSON.stringify(line) + '\n');
}

/** Every whole line of a metrics.jsonl (a line torn by a kill mid-write is left out). */
export function readMetricsLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T];
      } catch {
        return [];
      }
    });
}
