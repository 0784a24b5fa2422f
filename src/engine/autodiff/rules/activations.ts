import { attrFloat } from '../../onnx/ir';
import { affineMaskChannels, hardSwishSlope, insideMask as affineInsideMask, positiveMask } from '../lowering/masks';
import { unbroadcast } from './broadcast';
import { only } from './only';
import type { GradContext, RuleTable } from './types';

/**
 * Activation functions. Masks are taken from the output where that is equivalent (Relu,
 * Clip, Elu...), so the forward Conv+activation pair stays fusable by onnxruntime and the
 * pre-activation tensor need not be kept alive for the backward pass.
 */

function gated(ctx: GradContext, condition: string, whenTrue: string, whenFalse: string): string {
  return ctx.emit.where(condition, whenTrue, whenFalse);
}

function positive(ctx: GradContext, v: string): string {
  return ctx.emit.op('Greater', [v, ctx.scalar(0, v)]);
}

/** Channels when the blocked-layout mask form applies to this node's output. */
function affineChannels(ctx: GradContext): number | undefined {
  const y = ctx.node.outputs[0];
  return ctx.lowering.masks === 'affine' ? affineMaskChannels(ctx.values.shape(y), ctx.floatType(y)) : undefined;
}

function relu(ctx: GradContext) {
  const g = ctx.dy[0]!;
  const y = ctx.node.outputs[0];
  const channels = affineChannels(ctx);
  if (channels) return [ctx.emit.mul(g, positiveMask(ctx.emit, y, channels))];
  return [gated(ctx, positive(ctx, y), g, ctx.scalar(0, g))];
}

function leakyRelu(ctx: GradContext) {
  const alpha = attrFloat(ctx.node, 'alpha', 0.01);
  const g = ctx.dy[0]!;
  const probe = alpha > 0 ? ctx.node.outputs[0] : ctx.node.inputs[0];
  return [gated(ctx, positive(ctx, probe), g, ctx.emit.mul(g, ctx.scalar(alpha, g)))];
}

function prelu(ctx: GradContext) {
  const g = ctx.dy[0]!;
  const [x, slope] = ctx.node.inputs;
  // y = slope * x where x < 0: d/d slope = dy * min(x, 0), summed back to the slope's shape.
  const dslope = ctx.needs(1)
    ? unbroadcast(ctx.emit, ctx.emit.mul(g, ctx.emit.op('Min', [x, ctx.scalar(0, x)])), ctx.values.shape(ctx.node.outputs[0]), ctx.values.shape(slope))
    : undefined;
  if (!ctx.needs(0)) return [undefined, dslope];
  return [gated(ctx, positive(ctx, x), g, ctx.emit.mul(g, slope)), dslope];
}

/** Inside the open interval (lo, hi) of the output, where clamping passes the gradient. */
function insideMask(ctx: GradContext, y: string, lo: string | undefined, hi: string | undefined): string | undefined {
  const { emit } = ctx;
  const above = lo ? emit.op('Greater', [y, lo]) : undefined;
  const below = hi ? emit.op('Less', [y, hi]) : undefined;
  if (above && below) return emit.op('And', [above, below]);
  return above ?? below;
}

function clip(ctx: GradContext) {
  const g = ctx.dy[0]!;
  const [, lo, hi] = ctx.node.inputs;
  const bounds = [lo ? ctx.values.floats(lo) : [-Infinity], hi ? ctx.values.floats(hi) : [Infinity]];
  const channels = affineChannels(ctx);
  if (channels && bounds.every((b) => b?.length === 1 && Number.isFinite(b[0]) && Math.abs(b[0]) < 2 ** 20)) {
    const mask = affineInsideMask(ctx.emit, ctx.node.outputs[0], channels, bounds[0]![0], bounds[1]![0]);
    return [ctx.emit.mul(g, mask)];
  }
  const mask = insideMask(ctx, ctx.node.outputs[0], lo || undefined, hi || undefined);
  return [mask ? gated(ctx, mask, g, ctx.scalar(0, g)) : g];
}

function sigmoid(ctx: GradContext) {
  const { emit } = ctx;
  const y = ctx.node.outputs[0];
  return [emit.mul(ctx.dy[0]!, emit.mul(y, emit.sub(ctx.scalar(1, y), y)))];
}

function hardSigmoid(ctx: GradContext) {
  const alpha = attrFloat(ctx.node, 'alpha', 0.2);
  const g = ctx.dy[0]!;
  const y = ctx.node.outputs[0];
  const channels = affineChannels(ctx);
  // alpha * [0 < y < 1] in the blocked layout (hard-swish backbones have one per block).
  if (channels && alpha > 0) return [ctx.emit.mul(g, affineInsideMask(ctx.emit, y, channels, 0, 1, alpha))];
  const mask = insideMask(ctx, y, ctx.scalar(0, y), ctx.scalar(1, y))!;
  return [gated(ctx, mask, ctx.emit.mul(g, ctx.scalar(alpha, g)), ctx.scalar(0, g))];
}

/** y = x * clip(x/6 + 1/2, 0, 1): dy/dx = 0 below -3, 1 above 3, x/3 + 1/2 between (as PyTorch). */
function hardSwish(ctx: GradContext) {
  const { emit } = ctx;
  const x = ctx.node.inputs[0];
  const channels = affineChannels(ctx);
  if (channels) return [emit.mul(ctx.dy[0]!, hardSwishSlope(emit, x, channels))];
  const inner = emit.add(emit.mul(x, ctx.scalar(1 / 3, x)), ctx.scalar(0.5, x));
  const upper = emit.where(emit.op('Greater', [x, ctx.scalar(3, x)]), ctx.scalar(1, x), inner);
  const slope = emit.where(emit.op('Less', [x, ctx.scalar(-3, x)]), ctx.scalar(0, x), upper);
  return [emit.mul(ctx.dy[0]!, slope)];
}

function tanh(ctx: GradContext) {
  const { emit } = ctx;
  const y = ctx.node.outputs[0];
  return [emit.mul(ctx.dy[0]!, emit.sub(ctx.scalar(1, y), emit.mul(y, y)))];
}

function elu(ctx: GradContext) {
  const alpha = attrFloat(ctx.node, 'alpha', 1);
  const { emit } = ctx;
  const g = ctx.dy[0]!;
  const y = ctx.node.outputs[0];
  return [gated(ctx, positive(ctx, y), g, emit.mul(g, emit.add(y, ctx.scalar(alpha, y))))];
}

function selu(ctx: GradContext) {
  const alpha = attrFloat(ctx.node, 'alpha', 1.67326319217681884765625);
  const gamma = attrFloat(ctx.node, 'gamma', 1.05070102214813232421875);
  const { emit } = ctx;
  const g = ctx.dy[0]!;
  const y = ctx.node.outputs[0];
  const negative = emit.mul(g, emit.add(y, ctx.scalar(alpha * gamma, y)));
  return [gated(ctx, positive(ctx, ctx.node.inputs[0]), emit.mul(g, ctx.scalar(gamma, g)), negative)];
}

function celu(ctx: GradContext) {
  const alpha = attrFloat(ctx.node, 'alpha', 1);
  const { emit } = ctx;
  const g = ctx.dy[0]!;
  const y = ctx.node.outputs[0];
  const negative = emit.mul(g, emit.add(emit.mul(y, ctx.scalar(1 / alpha, y)), ctx.scalar(1, y)));
  return [gated(ctx, positive(ctx, ctx.node.inputs[0]), g, negative)];
}

function softplus(ctx: GradContext) {
  return [ctx.emit.mul(ctx.dy[0]!, ctx.emit.op('Sigmoid', [ctx.node.inputs[0]]))];
}

function softsign(ctx: GradContext) {
  const { emit } = ctx;
  const x = ctx.node.inputs[0];
  const d = emit.add(ctx.scalar(1, x), emit.op('Abs', [x]));
  return [emit.div(ctx.dy[0]!, emit.mul(d, d))];
}

/** y = x tanh(softplus(x)): dy/dx = t + x (1 - t^2) sigmoid(x). */
function mish(ctx: GradContext) {
  const { emit } = ctx;
  const x = ctx.node.inputs[0];
  const t = emit.op('Tanh', [emit.op('Softplus', [x])]);
  const sech2 = emit.sub(ctx.scalar(1, x), emit.mul(t, t));
  return [emit.mul(ctx.dy[0]!, emit.add(t, emit.mul(emit.mul(x, sech2), emit.op('Sigmoid', [x]))))];
}

function gelu(ctx: GradContext) {
  const { emit, node } = ctx;
  const x = node.inputs[0];
  const s = (v: number) => ctx.scalar(v, x);
  let slope: string;
  if (node.attributes.approximate?.type === 'string' && node.attributes.approximate.value === 'tanh') {
    const k = Math.sqrt(2 / Math.PI);
    const x2 = emit.mul(x, x);
    const u = emit.mul(emit.mul(x, s(k)), emit.add(s(1), emit.mul(x2, s(0.044715))));
    const t = emit.op('Tanh', [u]);
    const du = emit.mul(s(k), emit.add(s(1), emit.mul(x2, s(3 * 0.044715))));
    const first = emit.mul(s(0.5), emit.add(s(1), t));
    const second = emit.mul(emit.mul(s(0.5), x), emit.mul(emit.sub(s(1), emit.mul(t, t)), du));
    slope = emit.add(first, second);
  } else {
    const cdf = emit.mul(s(0.5), emit.add(s(1), emit.op('Erf', [emit.mul(x, s(Math.SQRT1_2))])));
    const pdf = emit.mul(emit.op('Exp', [emit.mul(emit.mul(x, x), s(-0.5))]), s(1 / Math.sqrt(2 * Math.PI)));
    slope = emit.add(cdf, emit.mul(x, pdf));
  }
  return [emit.mul(ctx.dy[0]!, slope)];
}

function thresholdedRelu(ctx: GradContext) {
  const alpha = attrFloat(ctx.node, 'alpha', 1);
  const g = ctx.dy[0]!;
  const x = ctx.node.inputs[0];
  return [gated(ctx, ctx.emit.op('Greater', [x, ctx.scalar(alpha, x)]), g, ctx.scalar(0, g))];
}

export const activationRules: RuleTable = {
  Relu: relu,
  LeakyRelu: leakyRelu,
  PRelu: only([0, 1], prelu),
  Clip: only([0], clip),
  Sigmoid: sigmoid,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  Tanh: tanh,
  Elu: elu,
  Selu: selu,
  Celu: celu,
  Softplus: softplus,
  Softsign: softsign,
  Mish: mish,
  Gelu: gelu,
  ThresholdedRelu: thresholdedRelu,
};
