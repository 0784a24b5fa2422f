/**
 * `npm run bench`: forward + input-gradient throughput of our ONNX gradient graphs against
 * PyTorch CPU autograd on MobileNetV2 and ResNet-18 (torchvision, random weights, 224x224,
 * batch 8), and what each lowering choice is worth. Writes its section of BENCHMARKS.md.
 *
 * The models are exported by scripts/bench_models.py (Debian python3-torch) into the cache, not
 * committed. Other jobs share the cores, so each of our timed iterations is followed by one of
 * PyTorch's (a persistent Python process), runs repeat in fresh processes, and the table shows
 * medians with their spread.
 *
 *   npm run bench -- [--batch 8] [--iters 10] [--repeats 3] [--threads 2] [--no-ablation]
 *   tsx scripts/bench.ts --worker MODEL.onnx NAME BATCH ITERS THREADS LOWERING_JSON   (internal)
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { benchmarkGradient, median } from '../src/engine/autodiff/benchmark';
import type { LoweringOptions } from '../src/engine/autodiff/lowering/options';
import { DEFAULT_LOWERING } from '../src/engine/autodiff/lowering/options';
import { writeFileAtomic } from '../src/engine/fs/atomic';
import { loadModel } from '../src/engine/models/loaded';
import { cacheDir, packageRoot } from '../src/engine/paths';

const PYTHON = '/usr/bin/python3';
const MODELS = [
  { name: 'mobilenet_v2', title: 'MobileNetV2', target: 2.0, rssLimit: 1536 },
  { name: 'resnet18', title: 'ResNet-18', target: 1.3 },
];
const ABLATION: { label: string; lowering: Partial<LoweringOptions> }[] = [
  { label: 'ConvTranspose for every conv, comparison masks (the naive graph)', lowering: { stride1: 'convtranspose', strided: 'convtranspose', masks: 'compare' } },
  { label: 'stride-1 convs as Conv with flipped weights', lowering: { stride1: 'conv', strided: 'convtranspose', masks: 'compare' } },
  { label: '+ blocked-layout (affine) Relu/Clip masks', lowering: { stride1: 'conv', strided: 'convtranspose', masks: 'affine' } },
  { label: '+ strided convs split into per-phase stride-1 Convs (default)', lowering: { stride1: 'conv', strided: 'phase', masks: 'affine' } },
  { label: 'strided convs by zero insertion instead', lowering: { stride1: 'conv', strided: 'zero-insert', masks: 'affine' } },
];

interface WorkerResult {
  forwardMs: number;
  forwardBackwardMs: number;
  buildMs: number;
  peakRssMb: number;
  torchForwardBackwardMs?: number;
  load: number;
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

  async run(command: 'fb' | 'fwd'): Promise<number> {
    this.child.stdin.write(command + '\n');
    const answer = await this.lines.next();
    if (answer.done) throw new Error('PyTorch server exited');
    return Number(answer.value);
  }

  stop(): void {
    this.child.stdin.end();
  }
}

async function worker(args: string[]): Promise<void> {
  const [path, name, batch, iters, threads, loweringJson, torch] = args;
  const model = await loadModel(path);
  const server = torch === 'torch' ? await TorchServer.start(name, Number(batch), Number(threads)) : undefined;
  const torchTimes: number[] = [];
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
    buildMs: r.buildMs,
    peakRssMb: r.peakRssMb,
    torchForwardBackwardMs: server ? median(torchTimes) : undefined,
    load: loadavg()[0],
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** One measurement in a fresh process, so its peak RSS is the model's own. */
function runWorker(path: string, name: string, batch: number, iters: number, threads: number, lowering: Partial<LoweringOptions>, torch: boolean): WorkerResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'scripts/bench.ts'), '--worker', path, name, String(batch), String(iters), String(threads), JSON.stringify(lowering), torch ? 'torch' : 'none'], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`benchmark worker for ${name} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkerResult;
}

function option(args: string[], flag: string, fallback: number): number {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

const ms = (v: number) => `${v < 100 ? v.toFixed(1) : Math.round(v)} ms`;
const spread = (values: number[], format: (v: number) => string) =>
  values.length > 1 ? `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})` : format(values[0]);
const ratio = (v: number) => `${v.toFixed(2)}x`;

async function main(args: string[]): Promise<void> {
  if (args[0] === '--worker') return worker(args.slice(1));
  const batch = option(args, '--batch', 8);
  const iters = option(args, '--iters', 10);
  const repeats = option(args, '--repeats', 3);
  const threads = option(args, '--threads', 2);
  const ablation = !args.includes('--no-ablation');
  const torch = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status === 0;
  const dir = join(cacheDir(), 'bench');
  if (torch) {
    const exported = spawnSync(PYTHON, [join(packageRoot(), 'scripts/bench_models.py'), 'export', dir], { stdio: 'inherit' });
    if (exported.status !== 0) throw new Error('exporting the benchmark models failed');
  }
  const available = MODELS.filter((m) => existsSync(join(dir, `${m.name}.onnx`)));
  if (available.length === 0) {
    console.error(`bench: no benchmark models in ${dir}, and ${PYTHON} has no torch/torchvision to export them`);
    process.exitCode = 1;
    return;
  }
  const loadBefore = loadavg()[0];
  const rows: string[][] = [];
  for (const m of available) {
    const runs: WorkerResult[] = [];
    for (let r = 0; r < repeats; r++) {
      console.error(`bench: ${m.name} run ${r + 1}/${repeats}`);
      runs.push(runWorker(join(dir, `${m.name}.onnx`), m.name, batch, iters, threads, DEFAULT_LOWERING, torch));
    }
    const speedups = runs.filter((r) => r.torchForwardBackwardMs).map((r) => r.torchForwardBackwardMs! / r.forwardBackwardMs);
    const rss = runs.map((r) => r.peakRssMb);
    rows.push([
      m.title,
      spread(runs.map((r) => r.forwardMs), ms),
      spread(runs.map((r) => r.forwardBackwardMs), ms),
      torch ? spread(runs.map((r) => r.torchForwardBackwardMs!), ms) : 'n/a',
      speedups.length ? `**${spread(speedups, ratio)}**` : 'n/a',
      `>= ${m.target.toFixed(1)}x${speedups.length ? (median(speedups) >= m.target ? ' ✓' : ' ✗') : ''}`,
      `${spread(rss, (v) => `${Math.round(v)} MB`)}${m.rssLimit ? ` (<= ${m.rssLimit} MB${Math.max(...rss) <= m.rssLimit ? ' ✓' : ' ✗'})` : ''}`,
      ms(median(runs.map((r) => r.buildMs))),
    ]);
  }
  const ablationRows: string[][] = [];
  if (ablation) {
    for (const m of available) {
      for (const variant of ABLATION) {
        console.error(`bench: ${m.name} lowering: ${variant.label}`);
        const r = runWorker(join(dir, `${m.name}.onnx`), m.name, batch, Math.max(5, Math.round(iters / 2)), threads, variant.lowering, torch);
        ablationRows.push([m.title, variant.label, ms(r.forwardBackwardMs), r.torchForwardBackwardMs ? ms(r.torchForwardBackwardMs) : 'n/a', r.torchForwardBackwardMs ? ratio(r.torchForwardBackwardMs / r.forwardBackwardMs) : 'n/a']);
      }
    }
  }
  const loadAfter = loadavg()[0];
  writeSection(renderSection({ rows, ablationRows, batch, iters, repeats, threads, torch, loadBefore, loadAfter }));
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function renderSection(s: { rows: string[][]; ablationRows: string[][]; batch: number; iters: number; repeats: number; threads: number; torch: boolean; loadBefore: number; loadAfter: number }): string {
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
  if (s.ablationRows.length > 0) {
    lines.push(
      '',
      '### What each lowering choice is worth',
      '',
      'One run each (half the iterations), interleaved with PyTorch the same way; rows build on each other unless they say "instead".',
      '',
      table(['model', 'backward form', 'ours: forward + input grad', 'PyTorch', 'speedup'], s.ablationRows),
    );
  }
  return lines.join('\n');
}

const BEGIN = '<!-- autodiff benchmark: begin (generated by npm run bench) -->';
const END = '<!-- autodiff benchmark: end -->';

/** Replaces this benchmark's section of BENCHMARKS.md, leaving other sections alone. */
function writeSection(section: string): void {
  const path = join(packageRoot(), 'BENCHMARKS.md');
  const block = `${BEGIN}\n${section}\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next = start >= 0 && end > start ? current.slice(0, start) + block + current.slice(end + END.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileAtomic(path, next);
  console.error(`bench: wrote ${path}`);
  process.stdout.write(section + '\n');
}

await main(process.argv.slice(2));
