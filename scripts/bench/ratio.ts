/**
 * The gradient goals: forward + input-gradient throughput of our ONNX gradient graphs against
 * PyTorch CPU autograd on MobileNetV2 and ResNet-18 (torchvision, random weights, 224x224,
 * batch 8), and what each lowering choice is worth.
 *
 * The models are exported by scripts/bench_models.py (Debian python3-torch) into the cache, not
 * committed. Other jobs share the cores, so each of our timed iterations is followed by one of
 * PyTorch's (a persistent Python process), runs repeat in fresh processes (scripts/bench.ts
 * --worker), and the table shows medians with their spread.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { benchmarkGradient, median } from '../../src/engine/autodiff/benchmark';
import { createGradientOracle } from '../../src/engine/autodiff/gradient-oracle';
import type { LoweringOptions } from '../../src/engine/autodiff/lowering/options';
import { DEFAULT_LOWERING } from '../../src/engine/autodiff/lowering/options';
import { loadModel } from '../../src/engine/models/loaded';
import { cacheDir, packageRoot } from '../../src/engine/paths';
import { floatTensor } from '../../src/engine/tensor/tensor';
import { goalOf, isMet, type GoalId, type GoalResult } from './goals';
import { count, ms, ratio, spread, table } from './markdown';
import type { BenchOptions } from './options';

/** Debian's python3 with python3-torch, not a pyenv python3 earlier on PATH. */
export const PYTHON = '/usr/bin/python3';
export const RATIO_MODELS: { name: string; title: string; goal: GoalId; rssLimit?: number }[] = [
  { name: 'mobilenet_v2', title: 'MobileNetV2', goal: 'mobilenet', rssLimit: 1536 },
  { name: 'resnet18', title: 'ResNet-18', goal: 'resnet' },
];

const ABLATION: { label: string; lowering: LoweringOptions }[] = [
  { label: 'ConvTranspose for every conv, comparison masks (the naive graph)', lowering: { ...DEFAULT_LOWERING, stride1: 'convtranspose', strided: 'convtranspose', stridedDepthwise: 'convtranspose', masks: 'compare' } },
  { label: 'stride-1 convs as Conv with flipped weights', lowering: { ...DEFAULT_LOWERING, strided: 'convtranspose', stridedDepthwise: 'convtranspose', masks: 'compare' } },
  { label: '+ blocked-layout (affine) Relu/Clip masks', lowering: { ...DEFAULT_LOWERING, strided: 'convtranspose', stridedDepthwise: 'convtranspose' } },
  { label: '+ dense strided convs split into per-phase stride-1 Convs', lowering: { ...DEFAULT_LOWERING, strided: 'phase', stridedDepthwise: 'convtranspose' } },
  { label: '+ depthwise strided convs per phase too', lowering: { ...DEFAULT_LOWERING, strided: 'phase', stridedDepthwise: 'phase' } },
  { label: 'strided convs by zero insertion instead', lowering: { ...DEFAULT_LOWERING, strided: 'zero-insert', stridedDepthwise: 'zero-insert' } },
];

interface WorkerResult {
  forwardMs: number;
  forwardBackwardMs: number;
  forwardBackwardCpuMs: number;
  buildMs: number;
  peakRssMb: number;
  torchForwardBackwardMs?: number;
  torchForwardBackwardCpuMs?: number;
  load: number;
}

interface AblationResult {
  variants: { label: string; wallMs: number; cpuMs: number }[];
  torchWallMs?: number;
}

/** A persistent PyTorch process that runs one forward + input gradient per request. */
class TorchServer {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
  ) {}

  static async start(model: string, batch: number, threads: number): Promise<TorchServer> {
    const child = spawn(PYTHON, [join(packageRoot(), 'scripts/bench_models.py'), 'serve', model, String(batch), String(threads)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const server = new TorchServer(child, lines);
    const first = await lines.next();
    if (first.done) throw new Error(`PyTorch server for ${model} exited`);
    return server;
  }

  /** Runs once; returns [wall ms, process CPU ms]. */
  async run(command: 'fb' | 'fwd'): Promise<[number, number]> {
    this.child.stdin.write(command + '\n');
    const answer = await this.lines.next();
    if (answer.done) throw new Error('PyTorch server exited');
    const [wall, cpu] = answer.value.split(' ').map(Number);
    return [wall, cpu];
  }

  stop(): void {
    this.child.stdin.end();
  }
}

export async function ratioWorker(args: string[]): Promise<void> {
  const [path, name, batch, iters, threads, loweringJson, torch] = args;
  const model = await loadModel(path);
  const server = torch === 'torch' ? await TorchServer.start(name, Number(batch), Number(threads)) : undefined;
  const torchTimes: [number, number][] = [];
  if (server) for (let i = 0; i < 2; i++) await server.run('fb');
  const r = await benchmarkGradient(model, {
    batch: Number(batch),
    iters: Number(iters),
    threads: Number(threads),
    lowering: JSON.parse(loweringJson) as Partial<LoweringOptions>,
    between: server ? async () => void torchTimes.push(await server.run('fb')) : undefined,
  });
  server?.stop();
  const result: WorkerResult = {
    forwardMs: r.forwardMs,
    forwardBackwardMs: r.forwardBackwardMs,
    forwardBackwardCpuMs: r.forwardBackwardCpuMs,
    buildMs: r.buildMs,
    peakRssMb: r.peakRssMb,
    torchForwardBackwardMs: server ? median(torchTimes.map((t) => t[0])) : undefined,
    torchForwardBackwardCpuMs: server ? median(torchTimes.map((t) => t[1])) : undefined,
    load: loadavg()[0],
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

/**
 * Every lowering variant in one process, their runs interleaved round by round (and with
 * PyTorch's), so the comparison between variants sees the same load.
 */
export async function ablationWorker(args: string[]): Promise<void> {
  const [path, name, batch, iters, threads, torch] = args;
  const n = Number(batch);
  const model = await loadModel(path);
  const oracles = ABLATION.map((v) => createGradientOracle(model, { kind: 'ce' }, { threads: Number(threads), lowering: v.lowering }));
  for (const o of oracles) await o.prepare(n);
  const pixels = floatTensor([n, 3, model.height, model.width], Float32Array.from({ length: n * 3 * model.height * model.width }, (_, i) => ((i * 2654435761) % 1000) / 1000));
  const labels = Array.from({ length: n }, (_, i) => (i * 7919) % 1000);
  const server = torch === 'torch' ? await TorchServer.start(name, n, Number(threads)) : undefined;
  const wall = ABLATION.map(() => [] as number[]);
  const cpu = ABLATION.map(() => [] as number[]);
  const torchWall: number[] = [];
  for (let round = 0; round < Number(iters) + 1; round++) {
    for (let v = 0; v < oracles.length; v++) {
      const c = process.cpuUsage();
      const start = performance.now();
      await oracles[v].gradient(pixels, { labels });
      const used = process.cpuUsage(c);
      if (round > 0) {
        wall[v].push(performance.now() - start);
        cpu[v].push((used.user + used.system) / 1000);
      }
    }
    if (server) {
      const [w] = await server.run('fb');
      if (round > 0) torchWall.push(w);
    }
  }
  server?.stop();
  for (const o of oracles) await o.dispose();
  const result: AblationResult = {
    variants: ABLATION.map((v, i) => ({ label: v.label, wallMs: median(wall[i]), cpuMs: median(cpu[i]) })),
    torchWallMs: server ? median(torchWall) : undefined,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** One measurement in a fresh process, so its peak RSS is the model's own. */
function spawnWorker<T>(mode: string, args: string[]): T {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'scripts', 'bench.ts'), mode, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`benchmark worker ${args[1]} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

function runWorker(path: string, name: string, batch: number, iters: number, threads: number, lowering: Partial<LoweringOptions>, torch: boolean): WorkerResult {
  return spawnWorker<WorkerResult>('--worker', [path, name, String(batch), String(iters), String(threads), JSON.stringify(lowering), torch ? 'torch' : 'none']);
}



export interface RatioOutcome {
  results: GoalResult[];
  /** The autodiff section of BENCHMARKS.md; absent when no model could be measured. */
  section?: string;
  /** The exported models that were measured, for the profiles. */
  models: { goal: GoalId; title: string; path: string }[];
}

/** Both gradient goals side by side with PyTorch, the single-thread CPU comparison and (unless --no-ablation) the lowering variants. */
export async function measureRatios(o: Pick<BenchOptions, 'batch' | 'iters' | 'repeats' | 'threads' | 'ablation'>): Promise<RatioOutcome> {
  const { batch, iters, repeats, threads } = o;
  const torch = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status === 0;
  const dir = join(cacheDir(), 'bench');
  if (torch) {
    const exported = spawnSync(PYTHON, [join(packageRoot(), 'scripts', 'bench_models.py'), 'export', dir], { stdio: 'inherit' });
    if (exported.status !== 0) throw new Error('exporting the benchmark models failed');
  }
  const available = RATIO_MODELS.filter((m) => existsSync(join(dir, `${m.name}.onnx`)));
  const missing = RATIO_MODELS.filter((m) => !available.includes(m));
  const results: GoalResult[] = missing.map((m) => ({ id: m.goal, status: 'skipped', reason: `no ${m.name}.onnx in ${dir}, and ${PYTHON} has no torch/torchvision to export it` }));
  const models = available.map((m) => ({ goal: m.goal, title: m.title, path: join(dir, `${m.name}.onnx`) }));
  if (available.length === 0) return { results, models };
  const loadBefore = loadavg()[0];
  const rows: string[][] = [];
  const cpuRows: string[][] = [];
  for (const m of available) {
    const target = goalOf(m.goal).target;
    const runs: WorkerResult[] = [];
    for (let r = 0; r < repeats; r++) {
      console.error(`bench: ${m.name} run ${r + 1}/${repeats}`);
      runs.push(runWorker(join(dir, `${m.name}.onnx`), m.name, batch, iters, threads, DEFAULT_LOWERING, torch));
    }
    const speedups = runs.filter((r) => r.torchForwardBackwardMs).map((r) => r.torchForwardBackwardMs! / r.forwardBackwardMs);
    const ours = median(runs.map((r) => r.forwardBackwardMs));
    if (speedups.length > 0) {
      results.push({
        id: m.goal,
        status: 'measured',
        ours: `${spread(runs.map((r) => r.forwardBackwardMs), ms)} (median of ${count(repeats, 'run')})`,
        peer: `PyTorch ${spread(runs.map((r) => r.torchForwardBackwardMs!), ms)}`,
        value: median(speedups),
        valueText: spread(speedups, ratio),
      });
    } else results.push({ id: m.goal, status: 'skipped', reason: `no PyTorch peer (${PYTHON} has no torch/torchvision); ours ${ms(ours)}` });
    const rss = runs.map((r) => r.peakRssMb);
    const met = isMet(goalOf(m.goal), speedups.length ? median(speedups) : undefined);
    rows.push([
      m.title,
      spread(runs.map((r) => r.forwardMs), ms),
      spread(runs.map((r) => r.forwardBackwardMs), ms),
      torch ? spread(runs.map((r) => r.torchForwardBackwardMs!), ms) : 'n/a',
      speedups.length ? `**${spread(speedups, ratio)}**` : 'n/a',
      `>= ${target.toFixed(1)}x${met === undefined ? '' : met ? ' ✓' : ' ✗'}`,
      `${spread(rss, (v) => `${Math.round(v)} MB`)}${m.rssLimit ? ` (<= ${m.rssLimit} MB${Math.max(...rss) <= m.rssLimit ? ' ✓' : ' ✗'})` : ''}`,
      ms(median(runs.map((r) => r.buildMs))),
    ]);
    if (torch) {
      console.error(`bench: ${m.name} single-thread CPU time`);
      const one = runWorker(join(dir, `${m.name}.onnx`), m.name, batch, Math.max(3, Math.round(iters / 2)), 1, DEFAULT_LOWERING, true);
      cpuRows.push([m.title, ms(one.forwardBackwardCpuMs), ms(one.torchForwardBackwardCpuMs!), ratio(one.torchForwardBackwardCpuMs! / one.forwardBackwardCpuMs)]);
    }
  }
  const ablationRows: string[][] = [];
  if (o.ablation) {
    for (const m of available) {
      console.error(`bench: ${m.name} lowering variants`);
      const r = spawnWorker<AblationResult>('--ablation-worker', [join(dir, `${m.name}.onnx`), m.name, String(batch), String(Math.max(5, Math.round(iters / 2))), String(threads), torch ? 'torch' : 'none']);
      const naive = r.variants[0];
      r.variants.forEach((v, i) => {
        const isDefault = JSON.stringify(ABLATION[i].lowering) === JSON.stringify(DEFAULT_LOWERING);
        ablationRows.push([m.title, isDefault ? `${v.label} (default)` : v.label, ms(v.wallMs), ratio(naive.wallMs / v.wallMs), ms(v.cpuMs), r.torchWallMs ? ratio(r.torchWallMs / v.wallMs) : 'n/a']);
      });
    }
  }
  const loadAfter = loadavg()[0];
  const section = renderSection({ rows, cpuRows, ablationRows, batch, iters, repeats, threads, torch, loadBefore, loadAfter });
  return { results, section, models };
}

function renderSection(s: { rows: string[][]; cpuRows: string[][]; ablationRows: string[][]; batch: number; iters: number; repeats: number; threads: number; torch: boolean; loadBefore: number; loadAfter: number }): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '## Autodiff: forward + input gradient vs PyTorch CPU autograd',
    '',
    `Written by \`npm run bench\` (scripts/bench.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} cores, ` +
      `onnxruntime-node and PyTorch both on ${s.threads} threads, batch ${s.batch}, 224x224, cross-entropy on random images and labels. ` +
      `Load average ${s.loadBefore.toFixed(1)} at the start and ${s.loadAfter.toFixed(1)} at the end: other jobs share the cores, so absolute ` +
      `times are noisy; each of our timed runs is followed by one of PyTorch's so both see the same load, and the speedup is the ratio ` +
      `within each run. Cells: median over ${s.repeats} runs (fresh processes) of each run's median of ${s.iters} iterations, ` +
      'with the min–max across runs in brackets. Peak RSS is the whole benchmark process (graph building included).',
    '',
    table(['model', 'ours: forward', 'ours: forward + input grad', 'PyTorch: forward + input grad', 'speedup', 'target', 'peak RSS', 'graph build (once)'], s.rows),
  ];
  if (!s.torch) lines.push('', `PyTorch was not available (${PYTHON} has no torch), so only our times are shown.`);
  if (s.cpuRows.length > 0) {
    lines.push(
      '',
      'The same work on one thread, as process CPU time per forward + input gradient (median): time spent waiting for a core ' +
        'does not count, so this is the least load-sensitive comparison the shared machine allows.',
      '',
      table(['model', 'ours: CPU', 'PyTorch: CPU', 'ratio'], s.cpuRows),
    );
  }
  if (s.ablationRows.length > 0) {
    lines.push(
      '',
      '### What each lowering choice is worth',
      '',
      `All variants built in one process and run round-robin (each round also runs PyTorch once), medians of ${Math.max(5, Math.round(s.iters / 2))} rounds ` +
        `on ${s.threads} threads. Rows build on each other unless they say "instead"; "vs naive" is the first row's time over the row's.`,
      '',
      table(['model', 'backward form', 'forward + input grad', 'vs naive', 'CPU time', 'vs PyTorch'], s.ablationRows),
    );
  }
  return lines.join('\n');
}
