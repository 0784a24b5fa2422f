import type { LoadedModel } from '../models/loaded';
import { Rng } from '../random';
import { createSession } from '../onnx/session';
import type { HostTensor } from '../tensor/tensor';
import { floatTensor, sizeOf } from '../tensor/tensor';
import { createGradientOracle } from './gradient-oracle';
import type { LoweringOptions } from './lowering/options';
import type { LossSpec } from './oracle';

export interface BenchmarkOptions {
  batch: number;
  iters: number;
  threads: number;
  warmup?: number;
  loss?: LossSpec;
  lowering?: Partial<LoweringOptions>;
  /** Runs after each timed forward+gradient iteration (the benchmark script times PyTorch there, interleaved). */
  between?: () => Promise<void>;
}

export interface BenchmarkResult {
  /** Median ms of a plain forward pass of the model (onnxruntime, batch fixed). */
  forwardMs: number;
  /** Median ms of forward + loss + input gradient (the oracle's one native run). */
  forwardBackwardMs: number;
  /** Median process CPU time of one forward + gradient run (with one thread: the work, whatever else runs). */
  forwardBackwardCpuMs: number;
  /** Every timed iteration, for spreads. */
  forwardTimes: number[];
  forwardBackwardTimes: number[];
  /** Building the gradient graph and its session, once. */
  buildMs: number;
  /** Peak resident memory of this process so far. */
  peakRssMb: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function randomPixels(dims: number[], seed: number): HostTensor<Float32Array> {
  const data = new Float32Array(sizeOf(dims));
  const rng = new Rng(seed);
  for (let i = 0; i < data.length; i++) data[i] = rng.next();
  return floatTensor(dims, data);
}

/**
 * Times a model's forward pass and its forward + input-gradient run (cross-entropy on random
 * images and labels by default) at a fixed batch, as medians of `iters` runs after warm-up.
 */
export async function benchmarkGradient(model: LoadedModel, options: BenchmarkOptions): Promise<BenchmarkResult> {
  const { batch, iters, threads } = options;
  const warmup = options.warmup ?? 2;
  const batchDim = model.input.shape?.[0];
  const forward = await createSession(model.bytes, {
    threads,
    label: model.label,
    freeDimensions: typeof batchDim === 'string' ? { [batchDim]: batch } : undefined,
  });
  const raw = randomPixels(model.inputDims(batch), 1);
  const forwardTimes: number[] = [];
  for (let i = 0; i < warmup + iters; i++) {
    const start = performance.now();
    await forward.run({ [model.input.name]: raw });
    if (i >= warmup) forwardTimes.push(performance.now() - start);
  }
  await forward.release();

  const loss = options.loss ?? { kind: 'ce' };
  const oracle = createGradientOracle(model, loss, { threads, lowering: options.lowering });
  const buildStart = performance.now();
  const graph = await oracle.prepare(batch);
  const buildMs = performance.now() - buildStart;
  const pixels = randomPixels([batch, 3, model.height, model.width], 2);
  const resolved = oracle.loss as { output?: string };
  const classes = Math.max(1, (graph.shapes[resolved.output ?? ''] ?? [1, 1])[1]);
  const labels = Array.from({ length: batch }, (_, i) => (i * 7919) % classes);
  const forwardBackwardTimes: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < warmup + iters; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await oracle.gradient(pixels, { labels });
    if (i >= warmup) {
      forwardBackwardTimes.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      cpuTimes.push((used.user + used.system) / 1000);
      await options.between?.();
    }
  }
  await oracle.dispose();
  return {
    forwardMs: median(forwardTimes),
    forwardBackwardMs: median(forwardBackwardTimes),
    forwardBackwardCpuMs: median(cpuTimes),
    forwardTimes,
    forwardBackwardTimes,
    buildMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}
