import { attr } from '../builder';
import type { TfDtype } from '../graph';
import { NHWC_TO_NCHW_AXIS, elementCount, knownShape, normalizeAxis, type Dim, type TfValue } from '../values';
import { layoutAxis, range, type OpHandler } from './common';

/** TF reshape target (elements possibly unknown) with -1 resolved when the sizes allow it. */
function reshapeTarget(input: Dim[], target: (number | null)[]): Dim[] {
  const unknown = target.indexOf(-1);
  if (unknown < 0) return target;
  const rest = target.filter((_, i) => i !== unknown);
  const out: Dim[] = [...target];
  out[unknown] = knownShape(input) && knownShape(rest) && elementCount(rest) > 0 ? elementCount(input) / elementCount(rest) : null;
  return out;
}

const reshape: OpHandler = (ctx) => {
  const [x, shapeValue] = [ctx.input(0), ctx.input(1)];
  const target = ctx.knownNumbers(1);
  const rank = target?.length ?? shapeValue.shape[0];
  if (rank === null || rank === undefined) return ctx.unsupported('a target shape of unknown length');
  const shape = target ? reshapeTarget(x.shape, target) : new Array<Dim>(rank).fill(null);
  const out = ctx.output(0, { dtype: x.dtype, shape, layout: 'tf' });
  // allowzero: a 0 in a TF shape is a real zero-size dimension, never "copy the input's".
  ctx.emit('Reshape', [ctx.tf(x), ctx.int64Input(shapeValue, 'shape')], out, shapeValue.constant && target?.includes(0) ? { allowzero: attr.int(1) } : {});
};

const squeeze: OpHandler = (ctx) => {
  const x = ctx.input(0);
  const rank = x.shape.length;
  const listed = ctx.attrs.ints('squeeze_dims').length > 0 ? ctx.attrs.ints('squeeze_dims') : ctx.attrs.ints('axis');
  const axes = listed.length > 0 ? listed.map((a) => normalizeAxis(a, rank)) : range(rank).filter((i) => x.shape[i] === 1);
  if (listed.length === 0 && x.shape.some((d) => d === null)) ctx.unsupported('squeezing all size-1 dims of a tensor with unknown dims');
  const out = ctx.output(0, { dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)), layout: 'tf' });
  ctx.emit('Squeeze', [ctx.tf(x), ctx.int64(axes, 'axes')], out);
};

const expandDims: OpHandler = (ctx) => {
  const x = ctx.input(0);
  const rank = x.shape.length + 1;
  const axis = normalizeAxis(ctx.constNumbers(1, 'the axis')[0], rank);
  const shape = [...x.shape];
  shape.splice(axis, 0, 1);
  const out = ctx.output(0, { dtype: x.dtype, shape, layout: 'tf' });
  ctx.emit('Unsqueeze', [ctx.tf(x), ctx.int64([axis], 'axes')], out);
};

const transpose: OpHandler = (ctx) => {
  const x = ctx.input(0);
  const perm = ctx.constNumbers(1, 'the permutation');
  const out = ctx.output(0, { dtype: x.dtype, shape: perm.map((p) => x.shape[p]), layout: 'tf' });
  // From NCHW data, TF axis p sits at NCHW axis NHWC_TO_NCHW_AXIS[p]: one transpose does both.
  const onnxPerm = x.layout === 'nchw' && !x.constant ? perm.map((p) => NHWC_TO_NCHW_AXIS[p]) : perm;
  ctx.emit('Transpose', [ctx.as(x, x.constant ? 'tf' : x.layout)], out, { perm: attr.ints(onnxPerm) });
};

const pack: OpHandler = (ctx) => {
  const values = ctx.inputs();
  const rank = values[0].shape.length + 1;
  const axis = normalizeAxis(ctx.attrs.int('axis', 0), rank);
  const shape = [...values[0].shape];
  shape.splice(axis, 0, values.length);
  const out = ctx.output(0, { dtype: values[0].dtype, shape, layout: 'tf' });
  const axes = ctx.int64([axis], 'axes');
  const parts = values.map((v, i) => ctx.op('Unsqueeze', [ctx.tf(v), axes], {}, `part${i}`));
  ctx.emit('Concat', parts, out, { axis: attr.int(axis) });
};

const unpack: OpHandler = (ctx) => {
  const x = ctx.input(0);
  const rank = x.shape.length;
  const axis = normalizeAxis(ctx.attrs.int('axis', 0), rank);
  const num = ctx.attrs.int('num', x.shape[axis] ?? 0);
  if (num <= 0) ctx.unsupported('unpacking a dimension of unknown size');
  const shape = x.shape.filter((_, i) => i !== axis);
  const pieces = range(num).map((k) => ctx.temp(`piece${k}`));
  ctx.emit('Split', [ctx.tf(x), ctx.int64(new Array<number>(num).fill(1), 'split')], pieces, { axis: attr.int(axis) });
  const axes = ctx.int64([axis], 'axes');
  pieces.forEach((p, k) => ctx.emit('Squeeze', [p, axes], ctx.output(k, { dtype: x.dtype, shape, layout: 'tf' })));
};

function concat(axisFirst: boolean): OpHandler {
  return (ctx) => {
    const all = ctx.inputs();
    const values = axisFirst ? all.slice(1) : all.slice(0, -1);
    const axisIndex = axisFirst ? 0 : all.length - 1;
    const rank = values[0].shape.length;
    const axis = normalizeAxis(ctx.constNumbers(axisIndex, 'the axis')[0], rank);
    const shape = [...values[0].shape];
    shape[axis] = values.reduce<Dim>((sum, v) => (sum === null || v.shape[axis] === null ? null : sum + (v.shape[axis] as number)), 0);
    for (const v of values) for (let i = 0; i < rank; i++) if (i !== axis && shape[i] === null) shape[i] = v.shape[i];
    const layout = rank === 4 && values.some((v) => !v.constant && v.layout === 'nchw') ? 'nchw' : 'tf';
    const out = ctx.output(0, { dtype: values[0].dtype, shape, layout });
    ctx.emit('Concat', values.map((v) => ctx.as(v, layout)), out, { axis: attr.int(layoutAxis(axis, rank, layout)) });
  };
}

const tile: OpHandler = (ctx) => {
  const [x, multiples] = [ctx.input(0), ctx.input(1)];
  const m = multiples.constant ? Array.from(multiples.constant.data as ArrayLike<number>) : undefined;
  const shape = x.shape.map((d, i) => (m && d !== null ? d * m[i] : null));
  const out = ctx.output(0, { dtype: x.dtype, shape, layout: 'tf' });
  ctx.emit('Tile', [ctx.tf(x), ctx.int64Input(multiples, 'repeats')], out);
};

/** A tensor of `shape` filled with a run-time scalar `value`. */
const fill: OpHandler = (ctx) => {
  const [dims, value] = [ctx.input(0), ctx.input(1)];
  const shape = ctx.knownNumbers(0) ?? new Array<Dim>(dims.shape[0] ?? 0).fill(null);
  const out = ctx.output(0, { dtype: value.dtype, shape, layout: 'tf' });
  ctx.emit('Expand', [ctx.tf(value), ctx.int64Input(dims, 'shape')], out);
};

const broadcastTo: OpHandler = (ctx) => {
  const [x, dims] = [ctx.input(0), ctx.input(1)];
  const shape = ctx.knownNumbers(1) ?? new Array<Dim>(dims.shape[0] ?? 0).fill(null);
  const out = ctx.output(0, { dtype: x.dtype, shape, layout: 'tf' });
  ctx.emit('Expand', [ctx.tf(x), ctx.int64Input(dims, 'shape')], out);
};

function filledLike(value: number): OpHandler {
  return (ctx) => {
    const x = ctx.input(0);
    const out = ctx.output(0, { dtype: x.dtype, shape: x.shape, layout: 'tf' });
    const shape = ctx.op('Shape', [ctx.tf(x)]);
    const v = x.dtype === 'float32' ? ctx.float([value], 'value', []) : ctx.constant({ dtype: x.dtype, shape: [], data: Int32Array.of(value) }, 'value');
    ctx.emit('Expand', [v, shape], out);
  };
}

/** Shape/Size/Rank: constants when the shape is static, else computed (as int32, like TF.js). */
function shapeOf(kind: 'Shape' | 'Size' | 'Rank'): OpHandler {
  return (ctx) => {
    const x = ctx.input(0);
    const dims = x.shape;
    const outShape: Dim[] = kind === 'Shape' ? [dims.length] : [];
    const out = ctx.output(0, { dtype: 'int32', shape: outShape, layout: 'tf' });
    if (kind === 'Rank' || knownShape(dims)) {
      const values = kind === 'Shape' ? (dims as number[]) : kind === 'Size' ? [elementCount(dims as number[])] : [dims.length];
      ctx.emit('Identity', [ctx.constant({ dtype: 'int32', shape: outShape as number[], data: Int32Array.from(values) }, 'value')], out);
      return;
    }
    const shape = ctx.op('Shape', [ctx.tf(x)]);
    const value = kind === 'Shape' ? shape : ctx.op('ReduceProd', [shape], { keepdims: attr.int(0) });
    ctx.emit('Cast', [value], out, { to: attr.int(6) });
  };
}

const identity: OpHandler = (ctx) => {
  const values: TfValue[] = ctx.inputs();
  values.forEach((v, k) => {
    const layout = v.constant ? 'tf' : v.layout;
    ctx.emit('Identity', [ctx.as(v, layout)], ctx.output(k, { dtype: v.dtype, shape: v.shape, layout }));
  });
};

const rangeOp: OpHandler = (ctx) => {
  const [start, limit, delta] = ctx.inputs();
  const dtype: TfDtype = start.dtype;
  const out = ctx.output(0, { dtype, shape: [null], layout: 'tf' });
  ctx.emit('Range', [ctx.tf(start), ctx.tf(limit), ctx.tf(delta)], out);
};

export const shapeOps: Record<string, OpHandler> = {
  Reshape: reshape,
  Squeeze: squeeze,
  ExpandDims: expandDims,
  Transpose: transpose,
  Pack: pack,
  Unpack: unpack,
  ConcatV2: concat(false),
  Concat: concat(true),
  Tile: tile,
  Fill: fill,
  BroadcastTo: broadcastTo,
  ZerosLike: filledLike(0),
  OnesLike: filledLike(1),
  Shape: shapeOf('Shape'),
  Size: shapeOf('Size'),
  Rank: shapeOf('Rank'),
  Identity: identity,
  IdentityN: identity,
  StopGradient: identity,
  Snapshot: identity,
  PreventGradient: identity,
  EnsureShape: identity,
  PlaceholderWithDefault: identity,
  Range: rangeOp,
};
