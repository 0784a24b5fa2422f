import type { GradientOracle, GradientResult, LossArgs } from '../../autodiff/oracle';
import { floatTensor, type FloatTensor } from '../../tensor/tensor';

/** Rows [start, start+count) of a batched tensor. */
function rows(t: FloatTensor, start: number, count: number): FloatTensor {
  const per = t.data.length / t.dims[0];
  return floatTensor([count, ...t.dims.slice(1)], t.data.slice(start * per, (start + count) * per));
}

function concat(parts: FloatTensor[]): FloatTensor {
  const n = parts.reduce((a, p) => a + p.dims[0], 0);
  const out = floatTensor([n, ...parts[0].dims.slice(1)]);
  let offset = 0;
  for (const p of parts) {
    out.data.set(p.data, offset);
    offset += p.data.length;
  }
  return out;
}

function sliceArgs(args: LossArgs, start: number, count: number): LossArgs {
  const out: LossArgs = {};
  if (args.labels) out.labels = args.labels.slice(start, start + count);
  if (args.vectors) out.vectors = rows(args.vectors, start, count);
  if (args.mask) out.mask = rows(args.mask, start, count);
  if (args.target) out.target = rows(args.target, start, count);
  if (args.outputGrads) out.outputGrads = Object.fromEntries(Object.entries(args.outputGrads).map(([k, v]) => [k, rows(v, start, count)]));
  return out;
}

/**
 * Runs an oracle whose graph is fixed to `batch` rows (e.g. a converted TF.js model with batch
 * 1) on any batch, chunk by chunk; per-sample losses, outputs and gradients are concatenated.
 */
export function chunkedOracle(oracle: GradientOracle, batch: number): GradientOracle {
  return {
    width: oracle.width,
    height: oracle.height,
    async forward(pixels) {
      const parts: Record<string, FloatTensor[]> = {};
      for (let s = 0; s < pixels.dims[0]; s += batch) {
        const out = await oracle.forward(rows(pixels, s, Math.min(batch, pixels.dims[0] - s)));
        for (const [k, v] of Object.entries(out)) (parts[k] ??= []).push(v);
      }
      return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, concat(v)]));
    },
    async gradient(pixels, args = {}): Promise<GradientResult> {
      const n = pixels.dims[0];
      const losses: number[] = [];
      const grads: FloatTensor[] = [];
      const outputs: Record<string, FloatTensor[]> = {};
      for (let s = 0; s < n; s += batch) {
        const count = Math.min(batch, n - s);
        const r = await oracle.gradient(rows(pixels, s, count), sliceArgs(args, s, count));
        losses.push(...r.loss);
        grads.push(r.grad);
        for (const [k, v] of Object.entries(r.outputs)) (outputs[k] ??= []).push(v);
      }
      const loss = Float32Array.from(losses);
      return { loss, meanLoss: losses.reduce((a, v) => a + v, 0) / n, grad: concat(grads), outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, concat(v)])) };
    },
    dispose: () => oracle.dispose(),
  };
}
