import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { robustReport } from '../../evaluate/robust';
import { newRunId } from '../../runs/run-id';
import { runDir } from '../handlers/runs';
import type { JobHandler } from '../types';

/** A lab run's model (runs/<id>/model.onnx) or whatever eval-robust takes (a zoo name, a file). */
function resolve(ref: string): { model: string; run?: string } {
  const inRun = join(runDir(ref), 'model.onnx');
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(ref) && existsSync(inRun) ? { model: inRun, run: ref } : { model: ref };
}

/** `patchlab eval-robust` as a lab job: the report goes into the model's run (runs/<id>/robust/) or a new run. */
export const evalRobustJob: JobHandler<'evalRobust'> = {
  kind: 'evalRobust',
  capability: () => ({ available: true }),
  title: (p) => `eval-robust ${p.model} (${p.split}, ${p.count} images, eps ${p.eps})`,
  run: (p) => resolve(p.model).run,
  execute: async (p, ctx) => {
    const { model, run: modelRun } = resolve(p.model);
    const source = p.source ? resolve(p.source).model : undefined;
    const run = modelRun ?? newRunId(['robust', p.model.split('/').at(-1)]);
    ctx.setRun(run);
    const total = Math.ceil(p.count / p.chunk);
    let done = 0;
    const report = await robustReport({ ...p, model, source, out: join(runDir(run), 'robust') }, (message) => {
      done = Math.min(total, done + 1);
      ctx.report({ step: done, steps: total, loss: {}, message });
    });
    return {
      run,
      result: { split: report.split, count: report.count, rows: report.rows.map((r) => ({ attack: r.attack, eps: r.eps, accuracy: r.accuracy, count: r.count })), notes: report.notes },
    };
  },
};
