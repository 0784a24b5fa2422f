/**
 * Training speed: one standard epoch of the small CNN (`patchlab train --arch cnn`, Fashion-MNIST
 * 60k, batch 128) in onnxruntime beside PyTorch CPU on the same architecture (scripts/bench_train.py),
 * in one run; the PGD-7 adversarial epoch; peak RSS. Times N steps of each and scales to an
 * epoch (469 steps of 128 from 60k images), reporting wall and CPU time (CPU time barely moves
 * when other processes share the cores; wall time does).
 *
 *   npx tsx scripts/bench-train.ts [--steps 40] [--pgd-steps 10] [--threads 2] [--write]
 *
 * Heavy (minutes on 2 cores); not part of the test suite.
 */
import { spawnSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { train } from '../src/engine/train/trainer';
import { writeBenchmarksSection } from './benchmarks-section';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const steps = Number(flag('--steps', '40'));
const pgdSteps = Number(flag('--pgd-steps', '10'));
const threads = Number(flag('--threads', '2'));
const EPOCH_STEPS = Math.ceil(60000 / 128);

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** ms per step of a patchlab training run of `steps` steps (graph build excluded: one warm-up step first). */
async function ours(adversarial: boolean, steps: number): Promise<Timing> {
  const trainCount = 60000 - 5000;
  let wall = 0;
  let cpu = { user: 0, system: 0 };
  let start = 0;
  let startCpu = process.cpuUsage();
  await train(
    {
      arch: 'cnn',
      // Two extra steps: the first warms up, the last carries the end-of-run validation and export.
      epochs: (steps + 2) / Math.floor(trainCount / 128),
      batch: 128,
      threads,
      augment: 'none',
      checkpointEvery: 1_000_000,
      ...(adversarial ? { adversarial: { kind: 'pgd' as const, eps: 0.1, steps: 7, alpha: 0.025 } } : {}),
    },
    join(tmpdir(), `patchlab-bench-train-${Date.now()}-${adversarial ? 'pgd' : 'std'}`),
    (p) => {
      if (p.step === 1) {
        start = performance.now();
        startCpu = process.cpuUsage();
      }
      if (p.step === steps + 1) {
        wall = performance.now() - start;
        cpu = process.cpuUsage(startCpu);
      }
    },
  );
  return { wallMs: wall / steps, cpuMs: (cpu.user + cpu.system) / 1000 / steps };
}

function pytorch(): Timing & { peakRssMb: number } {
  const r = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'bench_train.py'), String(steps), String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench_train.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Timing & { peakRssMb: number };
}

async function main() {
  const load0 = loadavg()[0];
  const standard = await ours(false, steps);
  const torch = pytorch();
  const pgd = await ours(true, pgdSteps);
  const rss = process.resourceUsage().maxRSS / 1024;
  const load1 = loadavg()[0];
  const epoch = (t: Timing) => `${((t.wallMs * EPOCH_STEPS) / 1000).toFixed(0)} s wall, ${((t.cpuMs * EPOCH_STEPS) / 1000).toFixed(0)} s CPU`;
  const section = [
    '## Training in onnxruntime (issue 17)',
    '',
    `Small CNN (conv32-bn-relu-pool, conv64-bn-relu-pool, fc128, fc10), Fashion-MNIST, batch 128, Adam, ${threads} threads; ${steps} timed steps each (PGD: ${pgdSteps}), scaled to one epoch of ${EPOCH_STEPS} steps. Machine load average ${load0.toFixed(1)} at start, ${load1.toFixed(1)} at end (shared 2-core machine: wall times are inflated by other processes, CPU times much less).`,
    '',
    '| run | ms/step (wall) | ms/step (CPU) | epoch | peak RSS |',
    '| --- | ---: | ---: | --- | ---: |',
    `| patchlab (onnxruntime), standard | ${standard.wallMs.toFixed(0)} | ${standard.cpuMs.toFixed(0)} | ${epoch(standard)} | ${rss.toFixed(0)} MB (whole process, both runs) |`,
    `| PyTorch 1.13 CPU, same net | ${torch.wallMs.toFixed(0)} | ${torch.cpuMs.toFixed(0)} | ${epoch(torch)} | ${torch.peakRssMb.toFixed(0)} MB |`,
    `| patchlab, PGD-7 adversarial training (eps 0.1, alpha 0.025) | ${pgd.wallMs.toFixed(0)} | ${pgd.cpuMs.toFixed(0)} | ${epoch(pgd)} | |`,
    '',
    `Speed ratio PyTorch / patchlab per standard step: ${(torch.wallMs / standard.wallMs).toFixed(2)}x wall, ${(torch.cpuMs / standard.cpuMs).toFixed(2)}x CPU (above 1: patchlab is faster).`,
    '',
  ].join('\n');
  console.log(section);
  if (args.includes('--write')) writeBenchmarksSection('train', 'npx tsx scripts/bench-train.ts', section);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
