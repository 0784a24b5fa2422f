import { attrFloat, attrInt } from '../../onnx/ir';
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
  const [x, scale, , , variance] = node.inputs;
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const shape = channelShape(values.rank(x), values.shape(x)[1]);
  const s = values.floats(scale);
  const v = values.floats(variance);
  let factor: string;
  if (s && v) {
    factor = emit.floatConst(s.map((si, i) => si / Math.sqrt(v[i] + eps)), shape, ctx.floatType(x), 'bn_factor');
  } else {
    const std = emit.op('Sqrt', [emit.add(variance, ctx.scalar(eps, x))]);
    factor = emit.reshape(emit.div(scale, std), shape);
  }
  return [emit.mul(ctx.dy[0]!, factor)];
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

function layerNorm(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const [x, scale] = node.inputs;
  const rank = values.rank(x);
  const axis = attrInt(node, 'axis', -1);
  const first = axis < 0 ? axis + rank : axis;
  const axes = Array.from({ length: rank - first }, (_, i) => first + i);
  return [normalised(ctx, axes, attrFloat(node, 'epsilon', 1e-5), emit.mul(ctx.dy[0]!, scale))];
}

function instanceNorm(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const [x, scale] = node.inputs;
  const shape = values.shape(x);
  const axes = shape.slice(2).map((_, i) => i + 2);
  const gs = emit.mul(ctx.dy[0]!, emit.reshape(scale, channelShape(shape.length, shape[1])));
  return [normalised(ctx, axes, attrFloat(node, 'epsilon', 1e-5), gs)];
}

export const normalizationRules: RuleTable = {
  BatchNormalization: only([0], batchNorm),
  LayerNormalization: only([0], layerNorm),
  InstanceNormalization: only([0], instanceNorm),
};
