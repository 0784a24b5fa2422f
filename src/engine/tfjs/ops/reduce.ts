import { attr } from '../builder';
import type { OpContext } from '../context';
import { NHWC_TO_NCHW_AXIS, normalizeAxis, type Dim, type Layout } from '../values';
import { layoutAxis, range, type OpHandler } from './common';

/**
 * Where to reduce: in NCHW when the input is NCHW and the kept axes come out in TF's order
 * (keep_dims, or e.g. a spatial mean leaving [N, C]); otherwise in TF layout.
 */
function plan(ctx: OpContext, axes: number[], keepDims: boolean): { layout: Layout; outLayout: Layout; onnxAxes: number[]; shape: Dim[] } {
  const x = ctx.input(0);
  const rank = x.shape.length;
  const reduced = new Set(axes.map((a) => normalizeAxis(a, rank)));
  const shape = keepDims ? x.shape.map((d, i) => (reduced.has(i) ? 1 : d)) : x.shape.filter((_, i) => !reduced.has(i));
  const kept = range(rank).filter((a) => !reduced.has(a));
  const keptInNchw = kept.map((a) => NHWC_TO_NCHW_AXIS[a]);
  const orderKept = keptInNchw.every((v, i) => i === 0 || keptInNchw[i - 1] < v);
  const layout: Layout = x.layout === 'nchw' && !x.constant && (keepDims || orderKept) ? 'nchw' : 'tf';
  const outLayout: Layout = layout === 'nchw' && keepDims ? 'nchw' : 'tf';
  const onnxAxes = [...reduced].sort((a, b) => a - b).map((a) => layoutAxis(a, rank, layout));
  return { layout, outLayout, onnxAxes, shape };
}

function reduction(onnxOp: string, boolInput = false): OpHandler {
  return (ctx) => {
    const x = ctx.input(0);
    const axes = ctx.constNumbers(1, 'the reduction axes');
    const keepDims = ctx.attrs.bool('keep_dims', false);
    const p = plan(ctx, axes, keepDims);
    const out = ctx.output(0, { dtype: x.dtype, shape: p.shape, layout: p.outLayout });
    let input = ctx.as(x, p.layout);
    if (axes.length === 0) {
      ctx.emit('Identity', [input], out);
      return;
    }
    if (boolInput) input = ctx.cast(input, 'int32');
    const keep = { keepdims: attr.int(keepDims ? 1 : 0) };
    // Opset 17: ReduceSum takes its axes as an input, the others as an attribute.
    const target = boolInput ? ctx.temp('reduced') : out;
    if (onnxOp === 'ReduceSum') ctx.emit(onnxOp, [input, ctx.int64(p.onnxAxes, 'axes')], target, keep);
    else ctx.emit(onnxOp, [input], target, { axes: attr.ints(p.onnxAxes), ...keep });
    if (boolInput) ctx.emit('Cast', [target], out, { to: attr.int(9) });
  };
}

function argExtreme(onnxOp: 'ArgMax' | 'ArgMin'): OpHandler {
  return (ctx) => {
    const x = ctx.input(0);
    const rank = x.shape.length;
    const axis = normalizeAxis(ctx.constNumbers(1, 'the axis')[0], rank);
    const out = ctx.output(0, { dtype: 'int32', shape: x.shape.filter((_, i) => i !== axis), layout: 'tf' });
    const picked = ctx.op(onnxOp, [ctx.tf(x)], { axis: attr.int(axis), keepdims: attr.int(0) });
    ctx.emit('Cast', [picked], out, { to: attr.int(6) });
  };
}

function softmax(onnxOp: 'Softmax' | 'LogSoftmax'): OpHandler {
  return (ctx) => {
    const x = ctx.input(0);
    const out = ctx.output(0, { dtype: x.dtype, shape: x.shape, layout: x.layout });
    ctx.emit(onnxOp, [ctx.as(x, x.layout)], out, { axis: attr.int(layoutAxis(-1, x.shape.length, x.layout)) });
  };
}

export const reduceOps: Record<string, OpHandler> = {
  Mean: reduction('ReduceMean'),
  Sum: reduction('ReduceSum'),
  Max: reduction('ReduceMax'),
  Min: reduction('ReduceMin'),
  Prod: reduction('ReduceProd'),
  All: reduction('ReduceMin', true),
  Any: reduction('ReduceMax', true),
  ArgMax: argExtreme('ArgMax'),
  ArgMin: argExtreme('ArgMin'),
  Softmax: softmax('Softmax'),
  LogSoftmax: softmax('LogSoftmax'),
};
