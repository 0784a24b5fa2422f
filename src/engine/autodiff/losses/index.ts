import type { LossSpec } from '../oracle';
import { crossEntropy, logit, margin } from './classification';
import { maximum, sumOrMean, tiledMaximum } from './reductions';
import { detectionScore } from './detection';
import { cosine, meanSquaredError, vectorJacobian } from './similarity';
import type { HeadContext, LossHead } from './types';

export type { HeadContext, LossArgNames, LossHead } from './types';

/** The model outputs a loss reads. `defaultOutput` serves losses that may omit theirs (ce, margin, logit). */
export function lossOutputs(loss: LossSpec, defaultOutput: string): string[] {
  switch (loss.kind) {
    case 'ce':
    case 'margin':
    case 'logit':
      return [loss.output ?? defaultOutput];
    case 'vjp':
      return loss.outputs;
    default:
      return [loss.output];
  }
}

/** Appends the loss head's nodes: a per-sample loss [N] from the model outputs and per-call inputs. */
export function emitLossHead(ctx: HeadContext, loss: LossSpec, defaultOutput: string, probabilities = false): LossHead {
  const [output] = lossOutputs(loss, defaultOutput);
  switch (loss.kind) {
    case 'ce':
      return crossEntropy(ctx, output, loss.targeted ?? false, probabilities);
    case 'margin':
      return margin(ctx, output, loss.kappa ?? 0, loss.targeted ?? false);
    case 'logit':
      return logit(ctx, output);
    case 'sum':
    case 'mean':
      return sumOrMean(ctx, output, loss.kind, loss.masked ?? false, loss.channels, loss.axis);
    case 'max':
      return loss.tiles ? tiledMaximum(ctx, output, loss.tiles, loss.channels, loss.axis) : maximum(ctx, output, loss.channels, loss.axis);
    case 'detection':
      return detectionScore(ctx, output, loss);
    case 'cosine':
      return cosine(ctx, output);
    case 'mse':
      return meanSquaredError(ctx, output);
    case 'vjp':
      return vectorJacobian(ctx, loss.outputs);
  }
}
