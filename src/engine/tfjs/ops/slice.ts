import { attr } from '../builder';
import type { OpContext } from '../context';
import { normalizeAxis, type Dim, type Layout } from '../values';
import { layoutAxis, range, type OpHandler } from './common';

const BIG = 2 ** 31 - 1;

/** Elements Python's x[start:end:step] keeps of a dimension of size `size`, after clamping. */
function sliceLength(size: Dim, start: number, end: number, step: number): Dim {
  if (size === null) return null;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const norm = (v: number) => (v < 0 ? v + size : v);
  const s = step > 0 ? clamp(norm(start), 0, size) : clamp(norm(start), -1, size - 1);
  const e = step > 0 ? clamp(norm(end), 0, size) : clamp(norm(end), -1, size - 1);
  return Math.max(0, Math.ceil((e - s) / step));
}

interface DenseDim {
  begin: number;
  end: number;
  stride: number;
  shrink: boolean;
}

/** TF's StridedSlice masks resolved against the input rank (TF's BuildDenseSpec). */
function denseSpec(ctx: OpContext, rank: number) {
  const begin = ctx.constNumbers(1, 'begin');
  const end = ctx.constNumbers(2, 'end');
  const strides = ctx.constNumbers(3, 'strides');
  const a = ctx.attrs;
  let ellipsis = a.int('ellipsis_mask', 0);
  const newAxis = a.int('new_axis_mask', 0);
  const beginMask = a.int('begin_mask', 0);
  const endMask = a.int('end_mask', 0);
  const shrinkMask = a.int('shrink_axis_mask', 0);
  let sparseDims = begin.length;
  if (!ellipsis) {
    ellipsis = 1 << sparseDims;
    sparseDims++;
  }
  const bit = (mask: number, i: number) => (mask & (1 << i)) !== 0;
  const ellipsisAt = range(sparseDims).find((i) => bit(ellipsis, i)) ?? sparseDims;
  const newAfterEllipsis = range(sparseDims).filter((i) => i > ellipsisAt && bit(newAxis, i)).length;
  const dense: DenseDim[] = [];
  /** The output's dims, as dense indices or 'new' for inserted axes. */
  const layoutOut: (number | 'new')[] = [];
  for (let i = 0; i < sparseDims; i++) {
    if (bit(ellipsis, i)) {
      const next = Math.min(rank - (sparseDims - i) + 1 + newAfterEllipsis, rank);
      while (dense.length < next) {
        layoutOut.push(dense.length);
        dense.push({ begin: 0, end: BIG, stride: 1, shrink: false });
      }
    } else if (bit(newAxis, i)) {
      layoutOut.push('new');
    } else {
      const stride = strides[i] ?? 1;
      const shrink = bit(shrinkMask, i);
      let b = bit(beginMask, i) ? (stride > 0 ? 0 : BIG) : begin[i];
      let e = bit(endMask, i) ? (stride > 0 ? BIG : -BIG - 1) : end[i];
      if (shrink) {
        b = begin[i];
        e = b === -1 ? BIG : b + 1;
      }
      if (!shrink) layoutOut.push(dense.length);
      dense.push({ begin: b, end: e, stride: shrink ? 1 : stride, shrink });
    }
  }
  while (dense.length < rank) {
    layoutOut.push(dense.length);
    dense.push({ begin: 0, end: BIG, stride: 1, shrink: false });
  }
  return { dense, layoutOut };
}

const stridedSlice: OpHandler = (ctx) => {
  const x = ctx.input(0);
  const rank = x.shape.length;
  const { dense, layoutOut } = denseSpec(ctx, rank);
  const sliced = dense.map((d, i) => sliceLength(x.shape[i], d.begin, d.end, d.stride));
  const shape: Dim[] = layoutOut.map((o) => (o === 'new' ? 1 : sliced[o]));
  const plain = layoutOut.length === rank && layoutOut.every((o) => o !== 'new') && dense.every((d) => !d.shrink);
  const layout: Layout = plain && rank === 4 && x.layout === 'nchw' && !x.constant ? 'nchw' : 'tf';
  const active = range(rank).filter((i) => !(dense[i].begin === 0 && dense[i].end === BIG && dense[i].stride === 1));
  const out = ctx.output(0, { dtype: x.dtype, shape, layout });
  let value = ctx.as(x, layout);
  const shrunk = range(rank).filter((i) => dense[i].shrink);
  const newAxes = layoutOut.flatMap((o, i) => (o === 'new' ? [i] : []));
  const steps: ((input: string, target: string) => void)[] = [];
  if (active.length > 0) {
    steps.push((input, target) =>
      ctx.emit('Slice', [input, ctx.int64(active.map((i) => dense[i].begin), 'starts'), ctx.int64(active.map((i) => dense[i].end), 'ends'), ctx.int64(active.map((i) => layoutAxis(i, rank, layout)), 'axes'), ctx.int64(active.map((i) => dense[i].stride), 'steps')], target),
    );
  }
  if (shrunk.length > 0) steps.push((input, target) => ctx.emit('Squeeze', [input, ctx.int64(shrunk, 'shrink')], target));
  if (newAxes.length > 0) steps.push((input, target) => ctx.emit('Unsqueeze', [input, ctx.int64(newAxes, 'new_axes')], target));
  if (steps.length === 0) steps.push((input, target) => ctx.emit('Identity', [input], target));
  steps.forEach((step, i) => {
    const target = i === steps.length - 1 ? out : ctx.temp(`step${i}`);
    step(value, target);
    value = target;
  });
};

const slice: OpHandler = (ctx) => {
  const x = ctx.input(0);
  const rank = x.shape.length;
  const begin = ctx.constNumbers(1, 'begin');
  const size = ctx.constNumbers(2, 'size');
  const layout: Layout = rank === 4 && x.layout === 'nchw' && !x.constant ? 'nchw' : 'tf';
  const ends = begin.map((b, i) => (size[i] === -1 ? BIG : b + size[i]));
  const shape = x.shape.map((d, i) => (size[i] === -1 ? (d === null ? null : d - begin[i]) : size[i]));
  const out = ctx.output(0, { dtype: x.dtype, shape, layout });
  const axes = range(rank).map((i) => layoutAxis(i, rank, layout));
  ctx.emit('Slice', [ctx.as(x, layout), ctx.int64(begin, 'starts'), ctx.int64(ends, 'ends'), ctx.int64(axes, 'axes')], out);
};

function split(variant: 'Split' | 'SplitV'): OpHandler {
  return (ctx) => {
    const x = variant === 'Split' ? ctx.input(1) : ctx.input(0);
    const rank = x.shape.length;
    const axis = normalizeAxis(ctx.constNumbers(variant === 'Split' ? 0 : 2, 'the axis')[0], rank);
    const dim = x.shape[axis];
    let sizes: number[];
    if (variant === 'Split') {
      const n = ctx.attrs.int('num_split', 1);
      if (dim === null) return ctx.unsupported('splitting a dimension of unknown size');
      sizes = new Array<number>(n).fill(dim / n);
    } else {
      sizes = ctx.constNumbers(1, 'the split sizes');
      const unknown = sizes.indexOf(-1);
      if (unknown >= 0) {
        if (dim === null) return ctx.unsupported('splitting a dimension of unknown size');
        sizes[unknown] = dim - sizes.reduce((a, b) => (b === -1 ? a : a + b), 0);
      }
    }
    const layout: Layout = rank === 4 && x.layout === 'nchw' && !x.constant ? 'nchw' : 'tf';
    const outs = sizes.map((s, k) => {
      const shape = [...x.shape];
      shape[axis] = s;
      return ctx.output(k, { dtype: x.dtype, shape, layout });
    });
    ctx.emit('Split', [ctx.as(x, layout), ctx.int64(sizes, 'sizes')], outs, { axis: attr.int(layoutAxis(axis, rank, layout)) });
  };
}

function pad(mode: 'constant' | 'mirror'): OpHandler {
  return (ctx) => {
    const x = ctx.input(0);
    const rank = x.shape.length;
    const paddings = ctx.constNumbers(1, 'the paddings');
    const layout: Layout = rank === 4 && x.layout === 'nchw' && !x.constant ? 'nchw' : 'tf';
    const before = range(rank).map((i) => paddings[2 * i]);
    const after = range(rank).map((i) => paddings[2 * i + 1]);
    const order = layout === 'nchw' ? [0, 3, 1, 2] : range(rank);
    const shape = x.shape.map((d, i) => (d === null ? null : d + before[i] + after[i]));
    const out = ctx.output(0, { dtype: x.dtype, shape, layout });
    const pads = ctx.int64([...order.map((i) => before[i]), ...order.map((i) => after[i])], 'pads');
    if (mode === 'mirror') {
      const m = ctx.attrs.string('mode', 'REFLECT');
      if (m !== 'REFLECT') ctx.unsupported(`MirrorPad mode ${m} (ONNX Pad only reflects)`);
      ctx.emit('Pad', [ctx.as(x, layout), pads], out, { mode: attr.string('reflect') });
      return;
    }
    const inputs = [ctx.as(x, layout), pads];
    if (ctx.inputCount > 2) inputs.push(ctx.tf(ctx.input(2)));
    ctx.emit('Pad', inputs, out, { mode: attr.string('constant') });
  };
}

export const sliceOps: Record<string, OpHandler> = {
  StridedSlice: stridedSlice,
  Slice: slice,
  Split: split('Split'),
  SplitV: split('SplitV'),
  Pad: pad('constant'),
  PadV2: pad('constant'),
  MirrorPad: pad('mirror'),
};
