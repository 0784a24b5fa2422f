import { floatTensor, type FloatTensor } from '../tensor/tensor';
import type { GradientResult, LossArgs } from './oracle';

/** Rows [start, start+count) of a batched tensor, as a copy. */
export function rows(t: FloatTensor, start: number, count: number): FloatTensor {
  const per = t.data.length / t.dims[0];
  return floatTensor([count, ...t.dims.slice(1)], t.data.slice(start * per, (start + count) * per));
}

export function concatRows(parts: FloatTensor[]): FloatTensor {
  const n = parts.reduce((a, p) => a + p.dims[0], 0);
  const out = floatTensor([n, ...parts[0].dims.slice(1)]);
  let offset = 0;
  for (const p of parts) {
    out.data.set(p.data, offset);
    offset += p.data.length;
  }
  return out;
}

/** The per-sample loss arguments of rows [start, start+count). */
export function sliceArgs(args: LossArgs, start: number, count: number): LossArgs {
  const out: LossArgs = {};
  if (args.labels) out.labels = args.labels.slice(start, start + count);
  if (args.vectors) out.vectors = rows(args.vectors, start, count);
  if (args.mask) out.mask = rows(args.mask, start, count);
  if (args.target) out.target = rows(args.target, start, count);
  if (args.outputGrads) out.outputGrads = Object.fromEntries(Object.entries(args.outputGrads).map(([k, v]) => [k, rows(v, start, count)]));
  return out;
}

/** Splits n rows into at most `parts` runs of near-equal length: [start, count] pairs. */
export function splitRows(n: number, parts: number): [number, number][] {
  const k = Math.max(1, Math.min(parts, n));
  const out: [number, number][] = [];
  for (let i = 0, start = 0; i < k; i++) {
    const count = Math.floor(n / k) + (i < n % k ? 1 : 0);
    out.push([start, count]);
    start += count;
  }
  return out;
}

/** The results of consecutive row ranges as one result (losses are per sample, gradients per row). */
export function mergeGradientResults(parts: GradientResult[]): GradientResult {
  const loss = new Float32Array(parts.reduce((a, p) => a + p.loss.length, 0));
  let offset = 0;
  for (const p of parts) {
    loss.set(p.loss, offset);
    offset += p.loss.length;
  }
  const outputs: Record<string, FloatTensor[]> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.outputs)) (outputs[k] ??= []).push(v);
  return {
    loss,
    meanLoss: loss.reduce((a, v) => a + v, 0) / loss.length,
    grad: concatRows(parts.map((p) => p.grad)),
    outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, concatRows(v)])),
  };
}
