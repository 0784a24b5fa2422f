import { attrInt, attrInts, attrString } from '../../onnx/ir';
import { isFloatType } from '../values';
import { unbroadcast } from './broadcast';
import { only } from './only';
import type { GradContext, RuleTable } from './types';

/** Ops that move or copy elements without arithmetic: the gradient is the inverse movement. */

function reshapeBack(ctx: GradContext) {
  return [ctx.emit.reshape(ctx.dy[0]!, ctx.values.shape(ctx.node.inputs[0]))];
}

const passThrough = (ctx: GradContext) => [ctx.dy[0]];

function cast(ctx: GradContext) {
  const x = ctx.node.inputs[0];
  const from = ctx.values.type(x);
  if (!isFloatType(from)) return [undefined];
  return [from === ctx.values.type(ctx.node.outputs[0]) ? ctx.dy[0] : ctx.emit.cast(ctx.dy[0]!, from)];
}

export function inversePermutation(perm: readonly number[]): number[] {
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return inverse;
}

function transpose(ctx: GradContext) {
  const rank = ctx.values.rank(ctx.node.inputs[0]);
  const perm = attrInts(ctx.node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  return [ctx.emit.transpose(ctx.dy[0]!, inversePermutation(perm))];
}

function expand(ctx: GradContext) {
  const { node, values } = ctx;
  return [unbroadcast(ctx.emit, ctx.dy[0]!, values.shape(node.outputs[0]), values.shape(node.inputs[0]))];
}

function tile(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const inShape = values.shape(node.inputs[0]);
  const outShape = values.shape(node.outputs[0]);
  const split = inShape.flatMap((d, i) => [outShape[i] / d, d]);
  const summed = emit.reduceSum(emit.reshape(ctx.dy[0]!, split), inShape.map((_, i) => 2 * i), false);
  return [summed];
}

/**
 * An op that reshapes to `grouped`, transposes by `perm`, and reshapes again: its gradient
 * reshapes back to the transposed shape, transposes by the inverse and reshapes to the input.
 */
function regroupBack(ctx: GradContext, grouped: number[], perm: number[]): string {
  const { emit } = ctx;
  const transposed = perm.map((p) => grouped[p]);
  const back = emit.transpose(emit.reshape(ctx.dy[0]!, transposed), inversePermutation(perm));
  return emit.reshape(back, ctx.values.shape(ctx.node.inputs[0]));
}

function depthToSpace(ctx: GradContext) {
  const [n, c, h, w] = ctx.values.shape(ctx.node.inputs[0]);
  const b = attrInt(ctx.node, 'blocksize', 1);
  if (attrString(ctx.node, 'mode', 'DCR') === 'CRD') return [regroupBack(ctx, [n, c / (b * b), b, b, h, w], [0, 1, 4, 2, 5, 3])];
  return [regroupBack(ctx, [n, b, b, c / (b * b), h, w], [0, 3, 4, 1, 5, 2])];
}

function spaceToDepth(ctx: GradContext) {
  const [n, c, h, w] = ctx.values.shape(ctx.node.inputs[0]);
  const b = attrInt(ctx.node, 'blocksize', 1);
  return [regroupBack(ctx, [n, c, h / b, b, w / b, b], [0, 3, 5, 1, 2, 4])];
}

export const shapeRules: RuleTable = {
  Reshape: only([0], reshapeBack),
  Flatten: reshapeBack,
  Squeeze: only([0], reshapeBack),
  Unsqueeze: only([0], reshapeBack),
  Identity: passThrough,
  // Inference Dropout is the identity; its mask output is not differentiable.
  Dropout: only([0], passThrough),
  Cast: cast,
  Transpose: transpose,
  Expand: only([0], expand),
  Tile: only([0], tile),
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
};
