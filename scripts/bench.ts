/**
 * `npm run bench`: issue 19's four speed goals measured in one run, each beside its peer or
 * baseline, in ONE summary table, with the profile that says where each one's time goes:
 *
 *   ratio   forward + input gradient vs PyTorch CPU autograd, MobileNetV2 and ResNet-18 (bench/ratio.ts)
 *   webcam  the Webcam screen's FPS in Chromium, centernet 512², fake camera (bench/webcam-chromium.ts)
 *   patch   a 600-step hide-person patch, batch 8, centernet, extrapolated from real steps (bench/patch-row.ts)
 *
 * Writes the autodiff section and the goals section of BENCHMARKS.md (the goals section only when
 * every row ran; --no-write for smoke runs).
 *
 *   npm run bench -- [--only ratio,webcam,patch] [--batch 8] [--iters 10] [--repeats 3] [--threads 2] [--no-ablation]
 *                    [--patch-steps 20] [--webcam-seconds 15] [--webcam-warmup 5] [--profile-runs 5] [--no-write]
 *   tsx scripts/bench.ts --worker MODEL.onnx NAME BATCH ITERS THREADS LOWERING_JSON torch|none   (internal)
 *   tsx scripts/bench.ts --ablation-worker MODEL.onnx NAME BATCH ITERS THREADS torch|none        (internal)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { firstLine, isUserError } from '../src/engine/errors';
import { closeSharedSessionWorkers } from '../src/engine/onnx/session-workers/pool';
import { writeBenchmarksSection } from './benchmarks-section';
import { summaryTable, type GoalResult } from './bench/goals';
import { profileGradient } from './bench/gradient-profile';
import { BENCH_ROWS, parseBenchOptions, PATCH_WARMUP_STEPS, type BenchOptions } from './bench/options';
import { measurePatchRun } from './bench/patch-row';
import { ablationWorker, measureRatios, ratioWorker } from './bench/ratio';
import { count } from './bench/markdown';
import { patchTable, profileTables, webcamTable } from './bench/time-goes';
import { summariseWebcam } from './bench/webcam-readout';

/** The model of the webcam and patch goals. */
const DETECTOR = 'centernet';
const PATCH_STEPS = 600;

/** One goal row's findings and the "where the time goes" text that explains them. */
interface RowOutcome {
  results: GoalResult[];
  explain: string[];
}

async function ratioRow(o: BenchOptions): Promise<RowOutcome> {
  const r = await measureRatios(o);
  if (r.section && o.write) console.error(`bench: wrote ${writeBenchmarksSection('autodiff benchmark', 'npm run bench', r.section)}`);
  if (r.section) process.stdout.write(r.section + '\n\n');
  const explain: string[] = [];
  for (const m of r.models) {
    console.error(`bench: profiling ${m.title}'s gradient graph`);
    const p = await profileGradient({ model: m.path, batch: o.batch, runs: o.profileRuns, threads: 1 });
    explain.push(`### ${m.title}: where the gradient's time goes\n\n${profileTables(m.title, p)}`);
  }
  return { results: r.results, explain };
}

async function webcamRow(o: BenchOptions): Promise<RowOutcome> {
  const skip = (reason: string): RowOutcome => ({ results: [{ id: 'webcam', status: 'skipped', reason }], explain: [] });
  let harness: typeof import('../test/e2e/harness');
  let measure: typeof import('./bench/webcam-chromium');
  try {
    harness = await import('../test/e2e/harness');
    measure = await import('./bench/webcam-chromium');
  } catch (error) {
    return skip(`no playwright-core (${firstLine(error)})`);
  }
  if (!existsSync(harness.CHROMIUM)) return skip(`no chromium (${harness.CHROMIUM} is missing)`);
  if (spawnSync('ffmpeg', ['-version']).status !== 0) return skip('no ffmpeg (it makes the fake camera)');
  // ensureBuilt builds the renderer only when out/ has none: after changing src/renderer, `npm run build` first.
  console.error(`bench: webcam in Chromium (the renderer as built in out/), ${o.webcamWarmup} s warm-up + ${o.webcamSeconds} s`);
  const m = await measure.measureWebcamInChromium({ model: DETECTOR, seconds: o.webcamSeconds, warmup: o.webcamWarmup });
  const w = summariseWebcam(m.readouts);
  if (!w) throw new Error(`the Webcam screen's benchmark readout did not read: '${m.readouts[0] ?? ''}'`);
  return {
    results: [{ id: 'webcam', status: 'measured', ours: `FPS readout, ${DETECTOR}, median of ${w.samples} s after ${o.webcamWarmup} s warm-up`, peer: 'fake camera at 30 fps', value: w.fps.median, valueText: `${w.fps.median.toFixed(1)} FPS (${w.fps.min.toFixed(1)}–${w.fps.max.toFixed(1)})` }],
    explain: [`### Webcam: where a frame's time goes\n\n${webcamTable(w)}`],
  };
}

async function patchRow(o: BenchOptions): Promise<RowOutcome> {
  console.error(`bench: ${PATCH_WARMUP_STEPS} + ${o.patchSteps} steps of a hide-person patch on ${DETECTOR}, batch 8`);
  const p = await measurePatchRun({ model: DETECTOR, batch: 8, warmup: PATCH_WARMUP_STEPS, timedSteps: o.patchSteps, steps: PATCH_STEPS });
  console.error(`bench: profiling ${DETECTOR}'s gradient graph (batch 1: one image per session worker)`);
  const profile = await profileGradient({ model: DETECTOR, batch: 1, runs: o.profileRuns, threads: 1 });
  return {
    results: [{ id: 'patch', status: 'measured', ours: `${(p.stepMs / 1000).toFixed(2)} s/step × ${PATCH_STEPS} + ${(p.onceMs / 1000).toFixed(0)} s once (${count(p.timedSteps, 'timed step')}, ${count(p.scenes.length, 'sample photo')})`, value: p.minutes }],
    explain: [
      `### 600-step patch: where a step's time goes\n\n${patchTable(p)}`,
      `The model part, one image at a time: the session workers (one per core, single-threaded sessions) run a step's images ` +
        `through ${DETECTOR}'s batch-1 gradient graph. ${profileTables(DETECTOR, profile)}`,
    ],
  };
}

const ROWS = { ratio: ratioRow, webcam: webcamRow, patch: patchRow } as const;

async function main(args: string[]): Promise<void> {
  if (args[0] === '--worker') return ratioWorker(args.slice(1));
  if (args[0] === '--ablation-worker') return ablationWorker(args.slice(1));
  const o = parseBenchOptions(args);
  const loadBefore = loadavg()[0];
  const started = new Date();
  const results: GoalResult[] = [];
  const explain: string[] = [];
  for (const row of BENCH_ROWS) {
    if (!o.only.has(row)) continue;
    try {
      const r = await ROWS[row](o);
      results.push(...r.results);
      explain.push(...r.explain);
    } catch (error) {
      // One row failing must not lose the others' numbers; the exit code still says it failed.
      console.error(`bench: ${row}: ${firstLine(error)}`);
      if (args.includes('--debug')) console.error(error);
      process.exitCode = 1;
      const ids = row === 'ratio' ? (['mobilenet', 'resnet'] as const) : ([row] as const);
      for (const id of ids) if (!results.some((r) => r.id === id)) results.push({ id, status: 'failed', reason: firstLine(error) });
    }
  }
  const section = renderGoals(o, results, explain, started, loadBefore, loadavg()[0]);
  process.stdout.write(section + '\n');
  const everyRow = BENCH_ROWS.every((r) => o.only.has(r));
  if (o.write && everyRow) console.error(`bench: wrote ${writeBenchmarksSection('speed goals (issue 19)', 'npm run bench', section)}`);
  else console.error(`bench: the goals section of BENCHMARKS.md was left alone (${o.write ? 'not every row ran' : '--no-write'})`);
}

function renderGoals(o: BenchOptions, results: GoalResult[], explain: string[], started: Date, loadBefore: number, loadAfter: number): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const settings = [
    o.only.has('ratio') ? `gradients: batch ${o.batch}, ${o.repeats} runs × ${o.iters} iterations, ${o.threads} threads each side` : undefined,
    o.only.has('webcam') ? `webcam: ${o.webcamWarmup} s warm-up, ${o.webcamSeconds} one-second samples` : undefined,
    o.only.has('patch') ? `patch: ${PATCH_WARMUP_STEPS} warm-up + ${count(o.patchSteps, 'timed step')}, extrapolated to ${PATCH_STEPS}` : undefined,
  ].filter(Boolean);
  return [
    '## Speed goals (issue 19): one run',
    '',
    `Written by \`npm run bench\` (scripts/bench.ts) on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${cpu}, ${cpus().length} cores, ` +
      `load average ${loadBefore.toFixed(1)} at the start and ${loadAfter.toFixed(1)} at the end. Settings: ${settings.join('; ')}. ` +
      'A goal is met (✓) when the median reaches it' +
      (o.only.has('patch') ? '; the patch time is the mean step times 600 plus the time outside the steps once.' : '.'),
    '',
    summaryTable(results),
    ...(explain.length > 0 ? ['', ...explain.flatMap((e) => [e, ''])] : []),
  ]
    .join('\n')
    .trimEnd();
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (!isUserError(error) || process.argv.includes('--debug')) throw error;
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
} finally {
  // Session workers run from sources keep the process alive; the script is done.
  await closeSharedSessionWorkers();
}
