import type { HeadContext } from './types';

/** Checks that an output is batch-first, the way per-sample losses read it. */
export function batchFirst(ctx: HeadContext, output: string): number[] {
  const shape = ctx.shapeOf(output);
  if (shape.length === 0 || shape[0] !== ctx.batch) {
    ctx.fail(`output '${output}' has shape [${shape.join(',')}], which does not start with the batch size ${ctx.batch}`);
  }
  return shape;
}

/** Reduces every axis but the batch axis (ReduceSum/ReduceMean/ReduceMax) to a per-sample [N]. */
export function perSample(ctx: HeadContext, value: string, shape: number[], op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax'): string {
  if (shape.length === 1) return value;
  return ctx.emit.reduce(op, value, shape.slice(1).map((_, i) => i + 1), false);
}

/** An output as [N, C] class scores. */
export function asScores(ctx: HeadContext, output: string): { scores: string; classes: number } {
  const shape = batchFirst(ctx, output);
  const classes = shape.slice(1).reduce((a, b) => a * b, 1);
  if (shape.length !== 2 && shape.slice(2).some((d) => d !== 1)) {
    ctx.fail(`output '${output}' has shape [${shape.join(',')}]; a classification loss needs [N, classes]`);
  }
  const scores = shape.length === 2 ? output : ctx.emit.reshape(output, [ctx.batch, classes]);
  return { scores, classes };
}

/** Restricts an output to channels [start, end) along `axis`. */
export function channelSlice(ctx: HeadContext, value: string, shape: number[], channels: [number, number] | undefined, axis = 1): { value: string; shape: number[] } {
  if (!channels) return { value, shape };
  const a = axis < 0 ? axis + shape.length : axis;
  const [start, end] = channels;
  if (a <= 0 || a >= shape.length || start < 0 || end > shape[a] || start >= end) {
    ctx.fail(`channels [${start}, ${end}) along axis ${axis} do not fit an output of shape [${shape.join(',')}]`);
  }
  const sliced = [...shape];
  sliced[a] = end - start;
  return { value: ctx.emit.slice(value, [start], [end], [a]), shape: sliced };
}
