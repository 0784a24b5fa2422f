import { attrInt, attrInts, type AttributeValue } from '../../onnx/ir';
import { int, ints } from '../emitter';
import { convGeometry, padsEndUsed, type ConvGeometry } from '../lowering/conv-geometry';
import { convInputGrad } from '../lowering/conv-input-grad';
import type { GradContext, RuleTable } from './types';

/** MaxPool, AveragePool, GlobalMaxPool (GlobalAveragePool is a mean, in reduce.ts). */

/**
 * MaxPool: the gradient goes to the argmax of each window (the first one on ties, as PyTorch).
 * The backward pass reruns the pooling with its Indices output rather than changing the forward
 * node, which onnxruntime then keeps in its faster blocked layout.
 */
function maxPoolBack(ctx: GradContext, kernel: number[], attrs: Record<string, AttributeValue>, overlapping: boolean) {
  const { emit, node, values } = ctx;
  const x = node.inputs[0];
  const xShape = values.shape(x);
  const existing = node.opType === 'MaxPool' && node.outputs[1] ? node.outputs[1] : undefined;
  const indices = existing ?? emit.opN('MaxPool', [x], { ...attrs, kernel_shape: ints(kernel), storage_order: int(0) }, 2)[1];
  const g = ctx.dy[0]!;
  if (!overlapping) return [emit.op('MaxUnpool', [g, indices, emit.int64s(xShape, 'shape')], { kernel_shape: ints(kernel), ...stridesOnly(attrs) })];
  const total = xShape.reduce((a, b) => a * b, 1);
  const flat = emit.op('ScatterElements', [emit.expand(ctx.scalar(0, x), [total]), emit.reshape(indices, [-1]), emit.reshape(g, [-1])], {
    axis: int(0),
    reduction: { type: 'string', value: 'add' },
  });
  return [emit.reshape(flat, xShape)];
}

function stridesOnly(attrs: Record<string, AttributeValue>): Record<string, AttributeValue> {
  return attrs.strides ? { strides: attrs.strides } : {};
}

function maxPool(ctx: GradContext) {
  const { node, values } = ctx;
  const kernel = attrInts(node, 'kernel_shape')!;
  const geometry = convGeometry(node, values.shape(node.inputs[0]), values.shape(node.outputs[0]), kernel);
  if (attrInt(node, 'storage_order', 0) !== 0 && node.outputs[1]) ctx.fail('column-major Indices are not supported');
  const attrs: Record<string, AttributeValue> = {};
  for (const key of ['auto_pad', 'ceil_mode', 'dilations', 'pads', 'strides']) if (node.attributes[key]) attrs[key] = node.attributes[key];
  // Windows that do not overlap send each input to at most one output: MaxUnpool places the
  // gradient directly. Overlapping windows (3x3 stride 2) need an accumulating scatter.
  const overlapping = kernel.some((k, i) => (k - 1) * geometry.dilations[i] + 1 > geometry.strides[i]) || !noPadding(geometry);
  return [maxPoolBack(ctx, kernel, attrs, overlapping)[0]];
}

function noPadding(g: ConvGeometry): boolean {
  return g.padsBegin.every((p) => p === 0) && padsEndUsed(g).every((p) => p <= 0);
}

function globalMaxPool(ctx: GradContext) {
  const kernel = ctx.values.shape(ctx.node.inputs[0]).slice(2);
  return maxPoolBack(ctx, kernel, {}, false);
}

/** Per-axis divisor of each output window, as onnxruntime's AveragePool counts. */
function windowCounts(g: ConvGeometry, axis: number, includePad: boolean, padEnd: number): number[] {
  const counts: number[] = [];
  for (let o = 0; o < g.outSize[axis]; o++) {
    const start = o * g.strides[axis] - g.padsBegin[axis];
    const [lo, hi] = includePad ? [-g.padsBegin[axis], g.inSize[axis] + padEnd] : [0, g.inSize[axis]];
    let n = 0;
    for (let k = 0; k < g.kernel[axis]; k++) {
      const at = start + k * g.dilations[axis];
      if (at >= lo && at < hi) n++;
    }
    counts.push(n);
  }
  return counts;
}

/**
 * AveragePool is a depthwise Conv with all-ones weights divided by each window's count, so its
 * gradient reuses the Conv input-gradient lowering; uniform counts fold into the weights.
 */
function averagePool(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const x = node.inputs[0];
  const xShape = values.shape(x);
  const kernel = attrInts(node, 'kernel_shape')!;
  const geometry = convGeometry(node, xShape, values.shape(node.outputs[0]), kernel);
  const includePad = attrInt(node, 'count_include_pad', 0) === 1;
  const rank = kernel.length;
  const padEnd = (attrInts(node, 'pads') ?? new Array<number>(2 * rank).fill(0)).slice(rank);
  const perAxis = kernel.map((_, i) => windowCounts(geometry, i, includePad, padEnd[i]));
  const counts = perAxis.reduce<number[]>((acc, axis) => acc.flatMap((a) => axis.map((b) => a * b)), [1]);
  const uniform = counts.every((c) => c === counts[0]);
  const channels = xShape[1];
  const taps = kernel.reduce((a, b) => a * b, 1);
  const type = ctx.floatType(x);
  const weightData = (type === 'float64' ? new Float64Array(channels * taps) : new Float32Array(channels * taps)).fill(uniform ? 1 / counts[0] : 1);
  const weightDims = [channels, 1, ...kernel];
  const weight = emit.floatConst(weightData, weightDims, type, 'avgpool_w');
  let g = ctx.dy[0]!;
  if (!uniform) g = emit.mul(g, emit.floatConst(counts.map((c) => 1 / Math.max(c, 1)), [1, 1, ...geometry.outSize], type, 'avgpool_div'));
  return [convInputGrad({ emit, dy: g, weight, weightDims, weightData, type, inShape: xShape, geometry, group: channels, lowering: ctx.lowering })];
}

export const poolingRules: RuleTable = {
  MaxPool: maxPool,
  GlobalMaxPool: globalMaxPool,
  AveragePool: averagePool,
};
