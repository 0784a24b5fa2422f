import { attrInt, attrString } from '../../onnx/ir';
import type { Emitter } from '../emitter';
import { only } from './only';
import type { GradContext, RuleTable } from './types';

/** Concat, Split, Slice, Pad, Gather, GatherElements: gradients scatter back where elements came from. */

const INT64_MIN = -(2 ** 63);

function axisOf(ctx: GradContext, name: string, fallback = 0): number {
  const axis = attrInt(ctx.node, 'axis', fallback);
  return axis < 0 ? axis + ctx.values.rank(name) : axis;
}

export function zerosLike(ctx: GradContext, like: string): string {
  return ctx.emit.expand(ctx.scalar(0, like), ctx.values.shape(like));
}

function constantInts(ctx: GradContext, name: string | undefined, what: string): number[] | undefined {
  if (!name) return undefined;
  const v = ctx.values.ints(name);
  if (!v) ctx.fail(`its ${what} ('${name}') must be constant once the batch size is fixed`);
  return v;
}

function concat(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const axis = axisOf(ctx, node.outputs[0]);
  let offset = 0;
  return node.inputs.map((x, i) => {
    const size = values.shape(x)[axis];
    const start = offset;
    offset += size;
    return ctx.needs(i) ? emit.slice(ctx.dy[0]!, [start], [start + size], [axis]) : undefined;
  });
}

function split(ctx: GradContext) {
  const { node } = ctx;
  const axis = axisOf(ctx, node.inputs[0]);
  const parts = node.outputs.map((y, k) => ctx.dy[k] ?? zerosLike(ctx, y));
  return [ctx.emit.concat(parts, axis)];
}

interface AxisSlice {
  axis: number;
  /** Lowest selected index, stride between selected indices, how many. */
  first: number;
  stride: number;
  count: number;
  reversed: boolean;
}

/** ONNX Slice semantics for one axis: clamping, negative indices and negative steps. */
export function normaliseSlice(dim: number, start: number, end: number, step: number): Omit<AxisSlice, 'axis'> {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = Math.min(Math.max(start, 0), dim);
    end = Math.min(Math.max(end, 0), dim);
  } else {
    start = Math.min(Math.max(start, 0), dim - 1);
    end = Math.min(Math.max(end, -1), dim - 1);
  }
  const count = Math.max(0, Math.ceil((end - start) / step));
  const last = start + (count - 1) * step;
  return { first: step > 0 ? start : last, stride: Math.abs(step), count, reversed: step < 0 };
}

/** Spreads a gradient slice back along one axis; returns the tensor and its new length there. */
function spreadAxis(emit: Emitter, g: string, shape: number[], s: AxisSlice): string {
  let out = g;
  if (s.reversed) out = emit.slice(out, [-1], [INT64_MIN], [s.axis], [-1]);
  if (s.stride > 1 && s.count > 1) {
    const withGap = emit.unsqueeze(out, [s.axis + 1]);
    const pads = new Array<number>(2 * (shape.length + 1)).fill(0);
    pads[shape.length + 1 + s.axis + 1] = s.stride - 1;
    const spread = [...shape];
    spread[s.axis] = s.count * s.stride;
    out = emit.reshape(emit.pad(withGap, pads), spread);
    out = emit.slice(out, [0], [(s.count - 1) * s.stride + 1], [s.axis]);
  }
  return out;
}

function slice(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const x = node.inputs[0];
  const inShape = values.shape(x);
  const rank = inShape.length;
  const starts = constantInts(ctx, node.inputs[1], 'starts')!;
  const ends = constantInts(ctx, node.inputs[2], 'ends')!;
  const axes = (constantInts(ctx, node.inputs[3], 'axes') ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const steps = constantInts(ctx, node.inputs[4], 'steps') ?? starts.map(() => 1);
  const slices = axes.map((axis, i) => ({ axis, ...normaliseSlice(inShape[axis], starts[i], ends[i], steps[i]) }));
  if (slices.some((s) => s.count === 0)) return [zerosLike(ctx, x)];
  let g = ctx.dy[0]!;
  const shape = [...values.shape(node.outputs[0])];
  for (const s of slices) {
    if (!s.reversed && s.stride === 1) continue;
    g = spreadAxis(emit, g, shape, s);
    shape[s.axis] = (s.count - 1) * s.stride + 1;
  }
  const pads = new Array<number>(2 * rank).fill(0);
  for (const s of slices) {
    pads[s.axis] = s.first;
    pads[rank + s.axis] = inShape[s.axis] - s.first - shape[s.axis];
  }
  return [pads.some((p) => p !== 0) ? emit.pad(g, pads) : g];
}

/** Pads of a Pad node as [begin..., end...] over every axis. */
function fullPads(ctx: GradContext, rank: number): number[] {
  const { node } = ctx;
  const given = constantInts(ctx, node.inputs[1], 'pads')!;
  const axesInput = node.inputs[3] ? constantInts(ctx, node.inputs[3], 'axes')! : undefined;
  if (!axesInput) return given;
  const pads = new Array<number>(2 * rank).fill(0);
  axesInput.forEach((a, i) => {
    const axis = a < 0 ? a + rank : a;
    pads[axis] = given[i];
    pads[rank + axis] = given[axesInput.length + i];
  });
  return pads;
}

function pad(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const inShape = values.shape(node.inputs[0]);
  const rank = inShape.length;
  const pads = fullPads(ctx, rank);
  const mode = attrString(node, 'mode', 'constant');
  if (mode === 'constant') return [emit.pad(ctx.dy[0]!, pads.map((p) => -p))];
  if (mode !== 'reflect' && mode !== 'edge') ctx.fail(`pad mode '${mode}' has no gradient rule`);
  let g = ctx.dy[0]!;
  for (let axis = 0; axis < rank; axis++) {
    const [b, e, n] = [pads[axis], pads[rank + axis], inShape[axis]];
    if (b === 0 && e === 0) continue;
    if (b < 0 || e < 0) ctx.fail(`negative pads in ${mode} mode have no gradient rule`);
    const place = (part: string, before: number, after: number) => {
      const p = new Array<number>(2 * rank).fill(0);
      p[axis] = before;
      p[rank + axis] = after;
      return emit.pad(part, p);
    };
    const terms = [emit.slice(g, [b], [b + n], [axis])];
    if (mode === 'reflect') {
      if (b > 0) terms.push(place(emit.slice(g, [b - 1], [INT64_MIN], [axis], [-1]), 1, n - 1 - b));
      if (e > 0) terms.push(place(emit.slice(g, [b + n + e - 1], [b + n - 1], [axis], [-1]), n - 1 - e, 1));
    } else {
      if (b > 0) terms.push(place(emit.reduceSum(emit.slice(g, [0], [b], [axis]), [axis], true), 0, n - 1));
      if (e > 0) terms.push(place(emit.reduceSum(emit.slice(g, [b + n], [b + n + e], [axis]), [axis], true), n - 1, 0));
    }
    g = emit.sum(terms);
  }
  return [g];
}

function scatterAdd(ctx: GradContext, data: string, indices: string, updates: string, axis: number): string {
  return ctx.emit.op('ScatterElements', [zerosLike(ctx, data), indices, updates], {
    axis: { type: 'int', value: axis },
    reduction: { type: 'string', value: 'add' },
  });
}

function gather(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const [x, indices] = node.inputs;
  const inShape = values.shape(x);
  const axis = axisOf(ctx, x);
  const idxShape = values.shape(indices);
  const count = idxShape.reduce((a, b) => a * b, 1);
  const constant = values.ints(indices);
  const spread = [...inShape];
  spread[axis] = count;
  const g = emit.reshape(ctx.dy[0]!, spread);
  if (constant && constant.length === 1) {
    // One index (x[:, k] and the like): pad the slice back into place.
    const k = constant[0] < 0 ? constant[0] + inShape[axis] : constant[0];
    const pads = new Array<number>(2 * inShape.length).fill(0);
    pads[axis] = k;
    pads[inShape.length + axis] = inShape[axis] - 1 - k;
    return [emit.pad(g, pads)];
  }
  const idxDims = inShape.map((_, i) => (i === axis ? count : 1));
  const idx = emit.expand(emit.reshape(indices, idxDims), spread);
  return [scatterAdd(ctx, x, idx, g, axis)];
}

function gatherElements(ctx: GradContext) {
  const [x, indices] = ctx.node.inputs;
  return [scatterAdd(ctx, x, indices, ctx.dy[0]!, axisOf(ctx, x))];
}

export const slicingRules: RuleTable = {
  Concat: concat,
  Split: only([0], split),
  Slice: only([0], slice),
  Pad: only([0], pad),
  Gather: only([0], gather),
  GatherElements: only([0], gatherElements),
};
