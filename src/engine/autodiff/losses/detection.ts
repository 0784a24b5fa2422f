import { int } from '../emitter';
import type { LossSpec } from '../oracle';
import { batchFirst } from './common';
import type { HeadContext, LossHead } from './types';

type DetectionLoss = Extract<LossSpec, { kind: 'detection' }>;

/** One class's score per anchor/query of a flat detector output, reduced per sample (see LossSpec 'detection'). */
export function detectionScore(ctx: HeadContext, output: string, loss: DetectionLoss): LossHead {
  const { emit } = ctx;
  const shape = batchFirst(ctx, output);
  if (shape.length !== 3) ctx.fail(`a detection loss reads a [B, anchors, channels] or [B, channels, anchors] output; '${output}' is [${shape.join(',')}]`);
  const axis = loss.axis < 0 ? loss.axis + 3 : loss.axis;
  if (axis !== 1 && axis !== 2) ctx.fail(`detection loss: class axis ${loss.axis} of '${output}' must be 1 or 2`);
  const channels = shape[axis];
  for (const c of [loss.channel, loss.objectness]) {
    if (c !== undefined && (!Number.isInteger(c) || c < 0 || c >= channels)) ctx.fail(`detection loss: channel ${c} is outside the ${channels} channels of '${output}' (axis ${axis})`);
  }
  const scores = loss.activation === 'softmax' ? emit.op('Softmax', [output], { axis: int(axis) }) : loss.activation === 'sigmoid' ? emit.op('Sigmoid', [output]) : output;
  const channel = (c: number) => emit.slice(scores, [c], [c + 1], [axis]);
  let score = channel(loss.channel);
  if (loss.objectness !== undefined) score = emit.mul(score, channel(loss.objectness));
  const anchors = shape[3 - axis];
  const flat = emit.reshape(score, [ctx.batch, anchors]);
  if (loss.floor === undefined) return { loss: emit.reduce('ReduceMax', flat, [1], false), args: {} };
  const above = emit.op('Relu', [emit.sub(flat, emit.scalar(loss.floor, ctx.floatType(output)))]);
  return { loss: emit.reduceSum(above, [1], false), args: {} };
}
