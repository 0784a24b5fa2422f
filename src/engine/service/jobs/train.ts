import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors';
import { newRunId } from '../../runs/run-id';
import { train, type TrainProgress } from '../../train/trainer';
import type { TrainConfig } from '../../../shared/training';
import { runDir } from '../handlers/runs';
import type { JobHandler } from '../types';

/** A lab run id (its model.onnx) or a path, as the train job's `from` and `teacher` take them. */
export function modelOfRun(ref: string): string {
  const inRun = join(runDir(ref), 'model.onnx');
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(ref) && existsSync(inRun)) return inRun;
  if (existsSync(ref)) return ref;
  throw new UserError(`'${ref}': neither a lab run with a model.onnx nor a model file`);
}

export function trainRunParts(c: TrainConfig): string[] {
  return [c.teacher ? 'distill' : 'train', c.arch ?? 'finetune', c.adversarial?.kind ?? (c.teacher ? `T${c.temperature}` : 'standard')];
}

/** Progress as the lab shows it: loss, batch accuracy and (after each epoch) val accuracy. */
export function trainProgress(p: TrainProgress): { step: number; steps: number; loss: Record<string, number>; message: string } {
  return {
    step: p.step,
    steps: p.totalSteps,
    loss: { loss: p.loss, trainAccuracy: p.trainAccuracy, ...(p.valAccuracy !== undefined ? { valAccuracy: p.valAccuracy } : {}) },
    message: `epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}`,
  };
}

/** `patchlab train` / `distill` as a lab job: writes runs/<id>/ (model.onnx, metrics.jsonl, curve) like the CLI. */
export const trainJob: JobHandler<'train'> = {
  kind: 'train',
  capability: () => ({ available: true }),
  title: (p) => `${p.config.teacher ? 'distill' : 'train'} ${p.config.arch ?? p.config.from ?? ''}${p.config.adversarial ? ` ${p.config.adversarial.kind} eps ${p.config.adversarial.eps}` : ''}, ${p.config.epochs} epochs`,
  execute: async (p, ctx) => {
    const config = { ...p.config, ...(p.config.from ? { from: modelOfRun(p.config.from) } : {}), ...(p.config.teacher ? { teacher: modelOfRun(p.config.teacher) } : {}) };
    const run = p.name ?? newRunId(trainRunParts(config));
    ctx.setRun(run);
    let last = 0;
    const result = await train(config, runDir(run), {
      signal: ctx.signal,
      onProgress: (progress) => {
        // Every step would flood the channel on a fast machine; 4 a second draw the curve well.
        const now = Date.now();
        if (now - last < 250 && progress.step !== progress.totalSteps && progress.valAccuracy === undefined) return;
        last = now;
        ctx.report(trainProgress(progress));
      },
    });
    return { run, result: { model: result.model, valAccuracy: result.valAccuracy ?? null, msPerStep: result.msPerStep } };
  },
};
