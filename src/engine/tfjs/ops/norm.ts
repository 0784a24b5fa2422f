import type { ConstData } from '../values';
import { operand, type OpHandler } from './common';

/**
 * Inference-mode batch norm with constant statistics folds to one multiply and one add per
 * channel: y = x * scale / sqrt(var + eps) + (offset - mean * scale / sqrt(var + eps)).
 */
const fusedBatchNorm: OpHandler = (ctx) => {
  const x = ctx.input(0);
  if (ctx.attrs.string('data_format', 'NHWC') !== 'NHWC') ctx.unsupported('data_format NCHW');
  const [scale, offset, mean, variance] = [1, 2, 3, 4].map((i) => ctx.constNumbers(i, ['', 'scale', 'offset', 'mean', 'variance'][i]));
  const eps = ctx.attrs.float('epsilon', 0.001);
  const mul = scale.map((s, i) => s / Math.sqrt(variance[i] + eps));
  const add = offset.map((o, i) => o - mean[i] * mul[i]);
  const vector = (values: number[]): ConstData => ({ dtype: 'float32', shape: [values.length], data: Float32Array.from(values) });
  const layout = x.shape.length === 4 && x.layout === 'nchw' ? 'nchw' : 'tf';
  const asOperand = (c: ConstData, suffix: string) => operand(ctx, { ref: `${ctx.node.name}::${suffix}`, dtype: 'float32', shape: c.shape, layout: 'tf', constant: c }, layout);
  const scaled = ctx.op('Mul', [ctx.as(x, layout), asOperand(vector(mul), 'scale')]);
  const outputs = ctx.output(0, { dtype: 'float32', shape: x.shape, layout });
  ctx.emit('Add', [scaled, asOperand(vector(add), 'shift')], outputs);
};

export const normOps: Record<string, OpHandler> = {
  FusedBatchNorm: fusedBatchNorm,
  FusedBatchNormV2: fusedBatchNorm,
  FusedBatchNormV3: fusedBatchNorm,
};
