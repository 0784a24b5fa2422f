import { broadcastShape, unbroadcast } from './broadcast';
import type { GradContext, RuleTable } from './types';

/** Add, Sub, Mul, Div, Sum, Mean, Neg, Max, Min, Pow, Where: numpy broadcasting on every operand. */

function operandGrad(ctx: GradContext, i: number, grad: string): string {
  const { node, values, emit } = ctx;
  return unbroadcast(emit, grad, values.shape(node.outputs[0]), values.shape(node.inputs[i]));
}

const add = (ctx: GradContext) => ctx.node.inputs.map((_, i) => (ctx.needs(i) ? operandGrad(ctx, i, ctx.dy[0]!) : undefined));

function sub(ctx: GradContext) {
  const g = ctx.dy[0]!;
  return [ctx.needs(0) ? operandGrad(ctx, 0, g) : undefined, ctx.needs(1) ? operandGrad(ctx, 1, ctx.emit.neg(g)) : undefined];
}

function mul(ctx: GradContext) {
  const { emit, node } = ctx;
  const g = ctx.dy[0]!;
  const [a, b] = node.inputs;
  return [ctx.needs(0) ? operandGrad(ctx, 0, emit.mul(g, b)) : undefined, ctx.needs(1) ? operandGrad(ctx, 1, emit.mul(g, a)) : undefined];
}

function div(ctx: GradContext) {
  const { emit, node } = ctx;
  const g = ctx.dy[0]!;
  const [, b] = node.inputs;
  const ga = ctx.needs(0) ? operandGrad(ctx, 0, emit.div(g, b)) : undefined;
  // d(a/b)/db = -(a/b)/b: reuse the forward quotient.
  const gb = ctx.needs(1) ? operandGrad(ctx, 1, emit.neg(emit.div(emit.mul(g, node.outputs[0]), b))) : undefined;
  return [ga, gb];
}

function mean(ctx: GradContext) {
  const scaled = ctx.emit.mul(ctx.dy[0]!, ctx.scalar(1 / ctx.node.inputs.length, ctx.dy[0]!));
  return ctx.node.inputs.map((_, i) => (ctx.needs(i) ? operandGrad(ctx, i, scaled) : undefined));
}

/** Max/Min: the gradient goes to the operands equal to the result, split evenly between ties. */
function extremum(ctx: GradContext) {
  const { emit, node } = ctx;
  const g = ctx.dy[0]!;
  const y = node.outputs[0];
  const hits = node.inputs.map((x) => emit.cast(emit.op('Equal', [x, y]), ctx.values.type(y)));
  const count = hits.length === 1 ? undefined : emit.sum(hits);
  const share = count ? emit.div(g, count) : g;
  return node.inputs.map((_, i) => (ctx.needs(i) ? operandGrad(ctx, i, emit.mul(share, hits[i])) : undefined));
}

function pow(ctx: GradContext) {
  const { emit, node, values } = ctx;
  const g = ctx.dy[0]!;
  const [a, b] = node.inputs;
  const y = node.outputs[0];
  let ga: string | undefined;
  if (ctx.needs(0)) {
    const exponent = values.floats(b);
    const t = ctx.floatType(a);
    const bb = values.type(b) === values.type(a) ? b : emit.cast(b, t);
    if (exponent && exponent.length === 1 && exponent[0] === 2) ga = emit.mul(g, emit.mul(a, ctx.scalar(2, a)));
    else ga = emit.mul(g, emit.mul(bb, emit.op('Pow', [a, emit.sub(bb, ctx.scalar(1, a))])));
    ga = operandGrad(ctx, 0, ga);
  }
  const gb = ctx.needs(1) ? operandGrad(ctx, 1, emit.mul(g, emit.mul(y, emit.op('Log', [a])))) : undefined;
  return [ga, gb];
}

function where(ctx: GradContext) {
  const { emit, node } = ctx;
  const g = ctx.dy[0]!;
  const zero = ctx.scalar(0, g);
  const [cond] = node.inputs;
  const outShape = ctx.values.shape(node.outputs[0]);
  const full = broadcastShape([ctx.values.shape(cond), outShape]);
  const grad = (i: number, picked: string) => unbroadcast(emit, picked, full, ctx.values.shape(node.inputs[i]));
  return [
    undefined,
    ctx.needs(1) ? grad(1, emit.where(cond, g, zero)) : undefined,
    ctx.needs(2) ? grad(2, emit.where(cond, zero, g)) : undefined,
  ];
}

export const arithmeticRules: RuleTable = {
  Add: add,
  Sum: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Mean: mean,
  Neg: (ctx) => [ctx.emit.neg(ctx.dy[0]!)],
  Max: extremum,
  Min: extremum,
  Pow: pow,
  Where: where,
};
