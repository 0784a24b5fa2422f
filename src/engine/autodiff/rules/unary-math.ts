import type { GradContext, RuleTable } from './types';

/** Element-wise math functions: y = f(x), dx = dy * f'(x), written with y where that is cheaper. */

type Derivative = (ctx: GradContext, x: string, y: string) => string;

function unary(derivative: Derivative) {
  return (ctx: GradContext) => [ctx.emit.mul(ctx.dy[0]!, derivative(ctx, ctx.node.inputs[0], ctx.node.outputs[0]))];
}

const zeroGradient = () => [undefined];

export const unaryMathRules: RuleTable = {
  Exp: unary((_ctx, _x, y) => y),
  Log: (ctx) => [ctx.emit.div(ctx.dy[0]!, ctx.node.inputs[0])],
  Sqrt: (ctx) => [ctx.emit.div(ctx.emit.mul(ctx.dy[0]!, ctx.scalar(0.5, ctx.dy[0]!)), ctx.node.outputs[0])],
  Reciprocal: unary(({ emit }, _x, y) => emit.neg(emit.mul(y, y))),
  Abs: unary(({ emit }, x) => emit.op('Sign', [x])),
  // d erf(x)/dx = 2/sqrt(pi) * exp(-x^2)
  Erf: unary((ctx, x) => {
    const { emit } = ctx;
    return emit.mul(emit.op('Exp', [emit.neg(emit.mul(x, x))]), ctx.scalar(2 / Math.sqrt(Math.PI), x));
  }),
  Sin: unary(({ emit }, x) => emit.op('Cos', [x])),
  Cos: unary(({ emit }, x) => emit.neg(emit.op('Sin', [x]))),
  // Piecewise constant: zero almost everywhere, as PyTorch defines them.
  Floor: zeroGradient,
  Ceil: zeroGradient,
  Round: zeroGradient,
  Sign: zeroGradient,
};
