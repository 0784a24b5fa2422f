import { attrInts } from '../../onnx/ir';
import { tensorArray } from '../../onnx/tensor-data';
import { convGeometry, groupOf } from '../lowering/conv-geometry';
import { convInputGrad } from '../lowering/conv-input-grad';
import { channelBiasGrad, convWeightGrad } from '../lowering/conv-weight-grad';
import type { FloatData } from '../lowering/conv-weights';
import { only } from './only';
import type { GradContext, RuleTable } from './types';

/** Conv and ConvTranspose w.r.t. their data input and, when training, their weights and bias. */

function conv(ctx: GradContext) {
  const { node, values } = ctx;
  const [x, w] = node.inputs;
  const weightDims = values.shape(w);
  const inShape = values.shape(x);
  const tensor = values.tensor(w);
  const weightData = tensor && (tensor.type === 'float32' || tensor.type === 'float64') ? (tensorArray(tensor) as FloatData) : undefined;
  const kernel = attrInts(node, 'kernel_shape') ?? weightDims.slice(2);
  const outShape = values.shape(node.outputs[0]);
  const geometry = convGeometry(node, inShape, outShape, kernel);
  const dw = ctx.needs(1)
    ? convWeightGrad({ emit: ctx.emit, x, inShape, dy: ctx.dy[0]!, outShape, weightDims, strides: geometry.strides, dilations: geometry.dilations, padsBegin: geometry.padsBegin, group: groupOf(node) })
    : undefined;
  const db = ctx.needs(2) ? channelBiasGrad(ctx.emit, ctx.dy[0]!, outShape.length) : undefined;
  if (!ctx.needs(0)) return [undefined, dw, db];
  return [
    convInputGrad({
      emit: ctx.emit,
      dy: ctx.dy[0]!,
      weight: w,
      weightDims,
      weightData,
      type: ctx.floatType(x),
      inShape,
      geometry: convGeometry(node, inShape, values.shape(node.outputs[0]), kernel),
      group: groupOf(node),
      lowering: ctx.lowering,
    }),
    dw,
    db,
  ];
}

/**
 * ConvTranspose is the transpose of a Conv with the same weights, strides and pads, so its
 * input gradient is that (fast, multi-threaded) Conv. Pads are recovered from the shapes, which
 * covers auto_pad and output_shape.
 */
function convTranspose(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const [x, w] = node.inputs;
  const weightDims = values.shape(w);
  const kernel = attrInts(node, 'kernel_shape') ?? weightDims.slice(2);
  const rank = kernel.length;
  const inSize = values.shape(x).slice(2);
  const outSize = values.shape(node.outputs[0]).slice(2);
  const ones = new Array<number>(rank).fill(1);
  const strides = attrInts(node, 'strides') ?? ones;
  const dilations = attrInts(node, 'dilations') ?? ones;
  const outputPadding = attrInts(node, 'output_padding') ?? new Array<number>(rank).fill(0);
  const explicit = attrInts(node, 'pads');
  const autoPad = node.attributes.auto_pad?.type === 'string' ? node.attributes.auto_pad.value : 'NOTSET';
  // onnxruntime derives the pads from the size whenever output_shape or SAME_* is given, putting
  // the odd pixel at the end for SAME_UPPER and at the start otherwise.
  const derived = attrInts(node, 'output_shape') !== undefined || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER';
  const begin = kernel.map((k, i) => {
    const total = strides[i] * (inSize[i] - 1) + outputPadding[i] + (k - 1) * dilations[i] + 1 - outSize[i];
    if (derived) return autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
    return explicit ? explicit[i] : 0;
  });
  const end = kernel.map((k, i) => strides[i] * (inSize[i] - 1) + outputPadding[i] + (k - 1) * dilations[i] + 1 - outSize[i] - begin[i]);
  const group = node.attributes.group?.type === 'int' ? node.attributes.group.value : 1;
  // ConvTranspose(X, W) is the adjoint of Conv(., W) from Y's shape to X's, so dW is that Conv's
  // weight gradient with dY as its input and X as its output gradient.
  const outShape = values.shape(node.outputs[0]);
  const dw = ctx.needs(1)
    ? convWeightGrad({ emit, x: ctx.dy[0]!, inShape: outShape, dy: x, outShape: values.shape(x), weightDims, strides, dilations, padsBegin: begin, group })
    : undefined;
  const db = ctx.needs(2) ? channelBiasGrad(emit, ctx.dy[0]!, outShape.length) : undefined;
  if (!ctx.needs(0)) return [undefined, dw, db];
  return [
    emit.op('Conv', [ctx.dy[0]!, w], {
      strides: { type: 'ints', value: strides },
      dilations: { type: 'ints', value: dilations },
      group: { type: 'int', value: node.attributes.group?.type === 'int' ? node.attributes.group.value : 1 },
      kernel_shape: { type: 'ints', value: kernel },
      pads: { type: 'ints', value: [...begin, ...end.map((e) => Math.max(0, e))] },
    }),
    dw,
    db,
  ];
}

export const convRules: RuleTable = {
  Conv: only([0, 1, 2], conv),
  ConvTranspose: only([0, 1, 2], convTranspose),
};
