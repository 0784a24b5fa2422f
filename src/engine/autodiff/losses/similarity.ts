import { batchFirst, perSample } from './common';
import type { HeadContext, LossHead } from './types';

/** Cosine similarity to per-call vectors, mean squared error to a per-call target, and VJP. */

export function cosine(ctx: HeadContext, output: string): LossHead {
  const { emit } = ctx;
  const shape = batchFirst(ctx, output);
  const dim = shape.slice(1).reduce((a, b) => a * b, 1);
  const type = ctx.floatType(output);
  const e = shape.length === 2 ? output : emit.reshape(output, [ctx.batch, dim]);
  const vectors = ctx.input('vectors', type, [ctx.batch, dim]);
  const rowSum = (v: string) => emit.reduceSum(v, [1], false);
  const norm = (v: string) => emit.op('Max', [emit.op('Sqrt', [rowSum(emit.mul(v, v))]), emit.scalar(1e-8, type)]);
  const cos = emit.div(rowSum(emit.mul(e, vectors)), emit.mul(norm(e), norm(vectors)));
  return { loss: cos, args: { vectors } };
}

export function meanSquaredError(ctx: HeadContext, output: string): LossHead {
  const shape = batchFirst(ctx, output);
  const target = ctx.input('target', ctx.floatType(output), shape);
  const d = ctx.emit.sub(output, target);
  return { loss: perSample(ctx, ctx.emit.mul(d, d), shape, 'ReduceMean'), args: { target } };
}

/**
 * The caller's d(loss)/d(output) for each output: the per-sample "loss" is sum(output * grad),
 * whose gradient is exactly the vector-Jacobian product.
 */
export function vectorJacobian(ctx: HeadContext, outputs: string[]): LossHead {
  if (outputs.length === 0) ctx.fail('a vjp loss needs at least one output');
  const outputGrads: Record<string, string> = {};
  const terms = outputs.map((output) => {
    const shape = batchFirst(ctx, output);
    const grad = ctx.input(`grad_${output}`, ctx.floatType(output), shape);
    outputGrads[output] = grad;
    return perSample(ctx, ctx.emit.mul(output, grad), shape, 'ReduceSum');
  });
  return { loss: ctx.emit.sum(terms), args: { outputGrads } };
}
