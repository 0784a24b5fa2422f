import type { MaxTiles } from '../oracle';
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

/** Sum over size x size spatial tiles of max(tile max - floor, 0) (see MaxTiles). */
export function tiledMaximum(ctx: HeadContext, output: string, tiles: MaxTiles, channels?: [number, number], axis = 1): LossHead {
  const shape = batchFirst(ctx, output);
  if (shape.length !== 4) ctx.fail(`tiled max needs a 4-D output (batch, channels and two spatial axes); '${output}' is [${shape.join(',')}]`);
  const a = axis < 0 ? axis + shape.length : axis;
  const part = channelSlice(ctx, output, shape, channels, a);
  // MaxPool wants [N, C, H, W]: move the channel axis to 1.
  const perm = [0, a, ...[1, 2, 3].filter((d) => d !== a)];
  const nchw = a === 1 ? part.value : ctx.emit.transpose(part.value, perm);
  const [height, width] = [part.shape[perm[2]], part.shape[perm[3]]];
  const size = tiles.size;
  if (!Number.isInteger(size) || size < 1 || height % size !== 0 || width % size !== 0) ctx.fail(`tile size ${size} does not divide the ${height}x${width} map`);
  const pooled = ctx.emit.op('MaxPool', [nchw], { kernel_shape: { type: 'ints', value: [size, size] }, strides: { type: 'ints', value: [size, size] } });
  const above = ctx.emit.op('Relu', [ctx.emit.sub(pooled, ctx.emit.scalar(tiles.floor, ctx.floatType(output)))]);
  return { loss: perSample(ctx, above, [part.shape[0], part.shape[perm[1]], height / size, width / size], 'ReduceSum'), args: {} };
}
