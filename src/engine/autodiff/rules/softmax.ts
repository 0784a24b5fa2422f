import { attrInt } from '../../onnx/ir';
import type { GradContext, RuleTable } from './types';

/** Softmax family along one axis (opset >= 13 semantics; older graphs are upgraded first). */

function axisOf(ctx: GradContext): number {
  return attrInt(ctx.node, 'axis', -1);
}

function softmax(ctx: GradContext) {
  const { emit } = ctx;
  const y = ctx.node.outputs[0];
  const g = ctx.dy[0]!;
  const dot = emit.reduceSum(emit.mul(g, y), [axisOf(ctx)], true);
  return [emit.mul(y, emit.sub(g, dot))];
}

function logSoftmax(ctx: GradContext) {
  const { emit } = ctx;
  const y = ctx.node.outputs[0];
  const g = ctx.dy[0]!;
  const total = emit.reduceSum(g, [axisOf(ctx)], true);
  return [emit.sub(g, emit.mul(emit.op('Exp', [y]), total))];
}

export const softmaxRules: RuleTable = {
  Softmax: softmax,
  LogSoftmax: logSoftmax,
  // Piecewise constant.
  Hardmax: () => [undefined],
};
