import { int } from '../emitter';
import { asScores } from './common';
import type { HeadContext, LossHead } from './types';

/** Cross-entropy, Carlini-Wagner margin and single-logit losses on class scores. */

function labelColumn(ctx: HeadContext): { labels: string; column: string } {
  const labels = ctx.input('labels', 'int64', [ctx.batch]);
  return { labels, column: ctx.emit.unsqueeze(labels, [1]) };
}

function picked(ctx: HeadContext, scores: string, column: string): string {
  return ctx.emit.op('GatherElements', [scores, column], { axis: int(1) });
}

/**
 * Per-sample cross-entropy -log softmax(z)[label]; targeted returns its negation. When the
 * model already outputs probabilities, log p is taken directly.
 */
export function crossEntropy(ctx: HeadContext, output: string, targeted: boolean, probabilities: boolean): LossHead {
  const { emit } = ctx;
  const { scores } = asScores(ctx, output);
  const type = ctx.floatType(output);
  const logp = probabilities
    ? emit.op('Log', [emit.op('Max', [scores, emit.scalar(1e-30, type)])])
    : emit.op('LogSoftmax', [scores], { axis: int(1) });
  const { labels, column } = labelColumn(ctx);
  const logpLabel = emit.reshape(picked(ctx, logp, column), [ctx.batch]);
  return { loss: targeted ? logpLabel : emit.neg(logpLabel), args: { labels } };
}

/** max(Z_label - max_{j != label} Z_j, -kappa); targeted uses max(max_{j != t} Z_j - Z_t, -kappa). */
export function margin(ctx: HeadContext, output: string, kappa: number, targeted: boolean): LossHead {
  const { emit } = ctx;
  const { scores, classes } = asScores(ctx, output);
  const type = ctx.floatType(output);
  const { labels, column } = labelColumn(ctx);
  const own = picked(ctx, scores, column);
  const classIds = emit.int64s(Array.from({ length: classes }, (_, i) => i), 'class_ids');
  const isLabel = emit.op('Equal', [emit.reshape(classIds, [1, classes]), column]);
  const others = emit.where(isLabel, emit.scalar(-1e30, type), scores);
  const best = emit.reduce('ReduceMax', others, [1], true);
  const diff = targeted ? emit.sub(best, own) : emit.sub(own, best);
  const clipped = emit.op('Max', [diff, emit.scalar(-kappa, type)]);
  return { loss: emit.reshape(clipped, [ctx.batch]), args: { labels } };
}

/** The logit at a per-sample index. */
export function logit(ctx: HeadContext, output: string): LossHead {
  const { scores } = asScores(ctx, output);
  const { labels, column } = labelColumn(ctx);
  return { loss: ctx.emit.reshape(picked(ctx, scores, column), [ctx.batch]), args: { labels } };
}
