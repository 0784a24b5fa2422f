import { attrInt, attrInts } from '../../onnx/ir';
import { only } from './only';
import type { GradContext, RuleTable } from './types';

// With noop_with_empty_axes and no axes a reduction is the identity, hence `if (!r) return [dy]`.

/** Reductions: the gradient is broadcast back over the reduced axes (to the arg-extremes for Max/Min). */

interface Reduced {
  x: string;
  y: string;
  xShape: number[];
  /** The output shape with reduced axes kept as 1. */
  keptShape: number[];
  axes: number[];
  /** dy reshaped to keptShape. */
  g: string;
}

function reduced(ctx: GradContext, axesOverride?: number[]): Reduced | undefined {
  const { node, values, emit } = ctx;
  const [x, axesInput] = node.inputs;
  const y = node.outputs[0];
  const xShape = values.shape(x);
  const rank = xShape.length;
  let axes = axesOverride ?? attrInts(node, 'axes') ?? (axesInput ? values.ints(axesInput) : undefined);
  if (axesInput && !axes) ctx.fail(`its axes ('${axesInput}') must be constant`);
  if (!axes || axes.length === 0) {
    if (attrInt(node, 'noop_with_empty_axes', 0) === 1) return undefined;
    axes = xShape.map((_, i) => i);
  }
  axes = axes.map((a) => (a < 0 ? a + rank : a));
  const keptShape = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keepdims = axesOverride ? true : attrInt(node, 'keepdims', 1) === 1;
  const g = keepdims ? ctx.dy[0]! : emit.reshape(ctx.dy[0]!, keptShape);
  return { x, y, xShape, keptShape, axes, g };
}

function count(r: Reduced): number {
  return r.axes.reduce((n, a) => n * r.xShape[a], 1);
}

function sum(ctx: GradContext) {
  const r = reduced(ctx);
  if (!r) return [ctx.dy[0]];
  return [ctx.emit.expand(r.g, r.xShape)];
}

function mean(ctx: GradContext, axes?: number[]) {
  const r = reduced(ctx, axes);
  if (!r) return [ctx.dy[0]];
  return [ctx.emit.expand(ctx.emit.mul(r.g, ctx.scalar(1 / count(r), r.g)), r.xShape)];
}

/** Max/Min: the gradient goes to the elements equal to the result, split evenly between ties (as PyTorch's amax). */
function extreme(ctx: GradContext) {
  const r = reduced(ctx);
  if (!r) return [ctx.dy[0]];
  const { emit } = ctx;
  const kept = emit.reshape(r.y, r.keptShape);
  const hits = emit.cast(emit.op('Equal', [r.x, kept]), ctx.values.type(r.x));
  const ties = emit.reduceSum(hits, r.axes, true);
  return [emit.mul(hits, emit.div(r.g, ties))];
}

function sumSquare(ctx: GradContext) {
  const r = reduced(ctx);
  if (!r) return [ctx.dy[0]];
  return [ctx.emit.mul(ctx.emit.mul(r.x, ctx.scalar(2, r.x)), r.g)];
}

function l2(ctx: GradContext) {
  const r = reduced(ctx);
  if (!r) return [ctx.dy[0]];
  const { emit } = ctx;
  return [emit.mul(emit.div(r.x, emit.reshape(r.y, r.keptShape)), r.g)];
}

function l1(ctx: GradContext) {
  const r = reduced(ctx);
  if (!r) return [ctx.dy[0]];
  return [ctx.emit.mul(ctx.emit.op('Sign', [r.x]), r.g)];
}

function logSumExp(ctx: GradContext) {
  const r = reduced(ctx);
  if (!r) return [ctx.dy[0]];
  const { emit } = ctx;
  return [emit.mul(emit.op('Exp', [emit.sub(r.x, emit.reshape(r.y, r.keptShape))]), r.g)];
}

function globalAveragePool(ctx: GradContext) {
  const rank = ctx.values.rank(ctx.node.inputs[0]);
  return mean(ctx, Array.from({ length: rank - 2 }, (_, i) => i + 2));
}

export const reduceRules: RuleTable = {
  ReduceSum: only([0], sum),
  ReduceMean: only([0], (ctx) => mean(ctx)),
  ReduceMax: only([0], extreme),
  ReduceMin: only([0], extreme),
  ReduceSumSquare: only([0], sumSquare),
  ReduceL2: only([0], l2),
  ReduceL1: only([0], l1),
  ReduceLogSumExp: only([0], logSumExp),
  GlobalAveragePool: globalAveragePool,
};
