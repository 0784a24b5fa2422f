import { batchFirst, channelSlice, perSample } from './common';
import type { HeadContext, LossHead } from './types';

/** Sum, mean or max of an output per sample, optionally masked and restricted to channels. */

export function sumOrMean(ctx: HeadContext, output: string, kind: 'sum' | 'mean', masked: boolean, channels?: [number, number], axis?: number): LossHead {
  const shape = batchFirst(ctx, output);
  let value = output;
  let mask: string | undefined;
  if (masked) {
    mask = ctx.input('mask', ctx.floatType(output), shape);
    value = ctx.emit.mul(value, mask);
  }
  const part = channelSlice(ctx, value, shape, channels, axis);
  return { loss: perSample(ctx, part.value, part.shape, kind === 'sum' ? 'ReduceSum' : 'ReduceMean'), args: { mask } };
}

export function maximum(ctx: HeadContext, output: string, channels?: [number, number], axis?: number): LossHead {
  const shape = batchFirst(ctx, output);
  const part = channelSlice(ctx, output, shape, channels, axis);
  if (part.shape.length <= 2) return { loss: perSample(ctx, part.value, part.shape, 'ReduceMax'), args: {} };
  const flat = ctx.emit.reshape(part.value, [ctx.batch, part.shape.slice(1).reduce((a, b) => a * b, 1)]);
  return { loss: ctx.emit.reduce('ReduceMax', flat, [1], false), args: {} };
}
