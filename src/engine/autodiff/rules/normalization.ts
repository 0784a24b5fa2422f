import { attrFloat, attrInt } from '../../onnx/ir';
import { unbroadcast } from './broadcast';
import { only } from './only';
import type { GradContext, RuleTable } from './types';

/** Inference BatchNormalization, LayerNormalization and InstanceNormalization. */

function channelShape(rank: number, channels: number): number[] {
  return [channels, ...new Array<number>(Math.max(0, rank - 2)).fill(1)];
}

/** Inference BatchNormalization is a per-channel affine map: dx = dy * scale / sqrt(var + eps). */
function batchNorm(ctx: GradContext) {
  const { node, values, emit } = ctx;
  if (attrInt(node, 'training_mode', 0) === 1) ctx.fail('training-mode BatchNormalization has no gradient rule');
  const [x, scale, , mean, variance] = node.inputs;
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const shape = channelShape(values.rank(x), values.shape(x)[1]);
  const g = ctx.dy[0]!;
  const others = [0, ...shape.slice(1).map((_, i) => i + 2)];
  // d/d scale = sum dy * (x - mean) / sqrt(var + eps); d/d bias = sum dy (over all but the channel axis).
  const dscale = ctx.needs(1)
    ? emit.reduceSum(emit.mul(g, emit.div(emit.sub(x, emit.reshape(mean, shape)), emit.reshape(emit.op('Sqrt', [emit.add(variance, ctx.scalar(eps, x))]), shape))), others, false)
    : undefined;
  const dbias = ctx.needs(2) ? emit.reduceSum(g, others, false) : undefined;
  if (!ctx.needs(0)) return [undefined, dscale, dbias];
  const s = values.floats(scale);
  const v = values.floats(variance);
  let factor: string;
  if (s && v) {
    factor = emit.floatConst(s.map((si, i) => si / Math.sqrt(v[i] + eps)), shape, ctx.floatType(x), 'bn_factor');
  } else {
    const std = emit.op('Sqrt', [emit.add(variance, ctx.scalar(eps, x))]);
    factor = emit.reshape(emit.div(scale, std), shape);
  }
  return [emit.mul(ctx.dy[0]!, factor), dscale, dbias];
}

/**
 * Normalisation over `axes` followed by a scale: with x^ = (x - mean) * inv and gs = dy * scale,
 * dx = inv * (gs - mean(gs) - x^ * mean(gs * x^)).
 */
function normalised(ctx: GradContext, axes: number[], eps: number, scaledGrad: string): string {
  const { emit } = ctx;
  const x = ctx.node.inputs[0];
  const mean = (v: string) => emit.reduce('ReduceMean', v, axes, true);
  const centred = emit.sub(x, mean(x));
  const variance = mean(emit.mul(centred, centred));
  const inv = emit.op('Reciprocal', [emit.op('Sqrt', [emit.add(variance, ctx.scalar(eps, x))])]);
  const xhat = emit.mul(centred, inv);
  const inner = emit.sub(emit.sub(scaledGrad, mean(scaledGrad)), emit.mul(xhat, mean(emit.mul(scaledGrad, xhat))));
  return emit.mul(inv, inner);
}

/** x^ = (x - mean) / sqrt(var + eps) over `axes`, for the scale gradient. */
function normalisedValue(ctx: GradContext, axes: number[], eps: number): string {
  const { emit } = ctx;
  const x = ctx.node.inputs[0];
  const mean = (v: string) => emit.reduce('ReduceMean', v, axes, true);
  const centred = emit.sub(x, mean(x));
  return emit.div(centred, emit.op('Sqrt', [emit.add(mean(emit.mul(centred, centred)), ctx.scalar(eps, x))]));
}

/** d/d scale and d/d bias of y = x^ * scale + bias where scale/bias broadcast against x. */
function affineGrads(ctx: GradContext, xhat: () => string, scaleShape: number[] | undefined, biasShape: number[] | undefined, reshapeTo?: number[]) {
  const { emit, values } = ctx;
  const g = ctx.dy[0]!;
  const xShape = values.shape(ctx.node.inputs[0]);
  const fit = (grad: string, to: number[]) => (reshapeTo ? emit.reshape(unbroadcast(emit, grad, xShape, reshapeTo), to) : unbroadcast(emit, grad, xShape, to));
  const dscale = ctx.needs(1) && scaleShape ? fit(emit.mul(g, xhat()), scaleShape) : undefined;
  const dbias = ctx.needs(2) && biasShape ? fit(g, biasShape) : undefined;
  return [dscale, dbias];
}

function layerNorm(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const [x, scale, bias] = node.inputs;
  const rank = values.rank(x);
  const axis = attrInt(node, 'axis', -1);
  const first = axis < 0 ? axis + rank : axis;
  const axes = Array.from({ length: rank - first }, (_, i) => first + i);
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const [dscale, dbias] = affineGrads(ctx, () => normalisedValue(ctx, axes, eps), values.shape(scale), bias ? values.shape(bias) : undefined);
  if (!ctx.needs(0)) return [undefined, dscale, dbias];
  return [normalised(ctx, axes, eps, emit.mul(ctx.dy[0]!, scale)), dscale, dbias];
}

function instanceNorm(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const [x, scale] = node.inputs;
  const shape = values.shape(x);
  const axes = shape.slice(2).map((_, i) => i + 2);
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const channels = channelShape(shape.length, shape[1]);
  const [dscale, dbias] = affineGrads(ctx, () => normalisedValue(ctx, axes, eps), [shape[1]], [shape[1]], channels);
  if (!ctx.needs(0)) return [undefined, dscale, dbias];
  const gs = emit.mul(ctx.dy[0]!, emit.reshape(scale, channels));
  return [normalised(ctx, axes, eps, gs), dscale, dbias];
}

export const normalizationRules: RuleTable = {
  BatchNormalization: only([0, 1, 2], batchNorm),
  LayerNormalization: only([0, 1, 2], layerNorm),
  InstanceNormalization: only([0, 1, 2], instanceNorm),
};
