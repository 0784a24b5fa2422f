import { parseArgs } from 'node:util';
import { UserError } from '../../src/engine/errors';
import { parsePositiveInt } from '../../src/cli/parse';
import type { BenchRow } from './goals';

export const BENCH_ROWS: readonly BenchRow[] = ['ratio', 'webcam', 'patch'];

/** Steps run before the timed ones of the patch row: the first ones build sessions and fill caches. */
export const PATCH_WARMUP_STEPS = 2;

export interface BenchOptions {
  /** Gradient rows: images per batch, timed iterations per run, runs (fresh processes), threads per side. */
  batch: number;
  iters: number;
  repeats: number;
  threads: number;
  ablation: boolean;
  /** The rows to measure. */
  only: ReadonlySet<BenchRow>;
  /** Timed steps of the patch row, after PATCH_WARMUP_STEPS. */
  patchSteps: number;
  /** Seconds of FPS readouts sampled in Chromium, after `webcamWarmup` seconds. */
  webcamSeconds: number;
  webcamWarmup: number;
  /** Profiled runs per gradient graph for the "where the time goes" tables. */
  profileRuns: number;
  /** Write BENCHMARKS.md (off for smoke runs). */
  write: boolean;
}

export const BENCH_USAGE =
  'npm run bench -- [--only ratio,webcam,patch] [--batch 8] [--iters 10] [--repeats 3] [--threads 2] [--no-ablation] ' +
  '[--patch-steps 20] [--webcam-seconds 15] [--webcam-warmup 5] [--profile-runs 5] [--no-write] [--debug]';

/** `npm run bench`'s flags; a bad one is a UserError naming it. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        only: { type: 'string', default: BENCH_ROWS.join(',') },
        batch: { type: 'string', default: '8' },
        iters: { type: 'string', default: '10' },
        repeats: { type: 'string', default: '3' },
        threads: { type: 'string', default: '2' },
        'no-ablation': { type: 'boolean', default: false },
        'patch-steps': { type: 'string', default: '20' },
        'webcam-seconds': { type: 'string', default: '15' },
        'webcam-warmup': { type: 'string', default: '5' },
        'profile-runs': { type: 'string', default: '5' },
        'no-write': { type: 'boolean', default: false },
        // Stack traces for failures (read by scripts/bench.ts).
        debug: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UserError(`${(error as Error).message.split('\n')[0]} (usage: ${BENCH_USAGE})`);
  }
  const int = (flag: string) => parsePositiveInt(`--${flag}`, values[flag] as string);
  return {
    batch: int('batch'),
    iters: int('iters'),
    repeats: int('repeats'),
    threads: int('threads'),
    ablation: !values['no-ablation'],
    only: parseRows(values.only as string),
    patchSteps: int('patch-steps'),
    webcamSeconds: int('webcam-seconds'),
    webcamWarmup: parseNonNegative('--webcam-warmup', values['webcam-warmup'] as string),
    profileRuns: int('profile-runs'),
    write: !values['no-write'],
  };
}

function parseNonNegative(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0) throw new UserError(`${flag}: '${text}' is not a whole number >= 0`);
  return value;
}

/** `ratio,patch` -> the rows; an unknown or empty list names the flag and the choices. */
export function parseRows(text: string): ReadonlySet<BenchRow> {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  if (parts.length === 0) throw new UserError(`--only: give one or more of ${BENCH_ROWS.join(', ')}`);
  for (const p of parts) if (!(BENCH_ROWS as readonly string[]).includes(p)) throw new UserError(`--only: '${p}' is not one of ${BENCH_ROWS.join(', ')}`);
  return new Set(parts as BenchRow[]);
}
