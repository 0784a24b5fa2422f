import { attr } from '../builder';
import { normalizeAxis, type Dim } from '../values';
import type { OpHandler } from './common';

const gather: OpHandler = (ctx) => {
  const [params, indices] = [ctx.input(0), ctx.input(1)];
  const rank = params.shape.length;
  const axis = ctx.inputCount > 2 ? normalizeAxis(ctx.constNumbers(2, 'the axis')[0], rank) : 0;
  if (ctx.attrs.int('batch_dims', 0) !== 0) ctx.unsupported('batch_dims != 0');
  const shape = [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)];
  const out = ctx.output(0, { dtype: params.dtype, shape, layout: 'tf' });
  ctx.emit('Gather', [ctx.tf(params), ctx.tf(indices)], out, { axis: attr.int(axis) });
};

const gatherNd: OpHandler = (ctx) => {
  const [params, indices] = [ctx.input(0), ctx.input(1)];
  const depth = indices.shape[indices.shape.length - 1];
  if (depth === null) return ctx.unsupported('indices with an unknown last dimension');
  const shape: Dim[] = [...indices.shape.slice(0, -1), ...params.shape.slice(depth)];
  const out = ctx.output(0, { dtype: params.dtype, shape, layout: 'tf' });
  ctx.emit('GatherND', [ctx.tf(params), ctx.int64Input(indices, 'indices')], out);
};

/** TopKV2: values and int32 indices of the k largest along the last axis, ties to the lower index. */
const topK: OpHandler = (ctx) => {
  const [x, k] = [ctx.input(0), ctx.input(1)];
  const kValue = k.constant ? k.constant.data[0] : null;
  const shape = [...x.shape.slice(0, -1), kValue];
  const values = ctx.output(0, { dtype: x.dtype, shape, layout: 'tf' });
  const indices = ctx.temp('indices');
  const kInput = ctx.op('Reshape', [ctx.int64Input(k, 'k'), ctx.int64([1], 'one')], {}, 'k1');
  ctx.emit('TopK', [ctx.tf(x), kInput], [values, indices], { axis: attr.int(-1), largest: attr.int(1), sorted: attr.int(1) });
  ctx.emit('Cast', [indices], ctx.output(1, { dtype: 'int32', shape, layout: 'tf' }), { to: attr.int(6) });
};

export const gatherOps: Record<string, OpHandler> = {
  GatherV2: gather,
  Gather: gather,
  GatherNd: gatherNd,
  TopKV2: topK,
};
