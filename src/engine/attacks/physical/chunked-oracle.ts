import { concatRows, mergeGradientResults, rows, sliceArgs } from '../../autodiff/batch-rows';
import type { GradientOracle, GradientResult } from '../../autodiff/oracle';
import type { FloatTensor } from '../../tensor/tensor';

/**
 * Runs an oracle whose graph is fixed to `batch` rows (e.g. a converted TF.js model with batch
 * 1) on any batch, chunk by chunk; per-sample losses, outputs and gradients are concatenated.
 * Chunks run side by side when the oracle spreads calls over session workers.
 */
export function chunkedOracle(oracle: GradientOracle, batch: number): GradientOracle {
  const chunks = (n: number): [number, number][] => Array.from({ length: Math.ceil(n / batch) }, (_, i) => [i * batch, Math.min(batch, n - i * batch)]);
  const concurrency = oracle.concurrency ?? 1;
  /** Runs fn over the chunks, at most `concurrency` at once, results in chunk order. */
  async function each<T>(n: number, fn: (start: number, count: number) => Promise<T>): Promise<T[]> {
    const list = chunks(n);
    const out: T[] = new Array(list.length);
    let next = 0;
    const lane = async () => {
      while (next < list.length) {
        const i = next++;
        out[i] = await fn(...list[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, lane));
    return out;
  }
  return {
    width: oracle.width,
    height: oracle.height,
    concurrency,
    async forward(pixels) {
      const results = await each(pixels.dims[0], (s, c) => oracle.forward(rows(pixels, s, c)));
      const parts: Record<string, FloatTensor[]> = {};
      for (const out of results) for (const [k, v] of Object.entries(out)) (parts[k] ??= []).push(v);
      return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, concatRows(v)]));
    },
    async gradient(pixels, args = {}): Promise<GradientResult> {
      return mergeGradientResults(await each(pixels.dims[0], (s, c) => oracle.gradient(rows(pixels, s, c), sliceArgs(args, s, c))));
    },
    dispose: () => oracle.dispose(),
  };
}
