import { evaluateRun } from '../../evaluate/evaluate';
import { runDir } from '../handlers/runs';
import { sceneSetDir } from '../handlers/scenes';
import type { JobHandler } from '../types';
import type { ParsedJobRequest } from '../../../shared/index';
import { formatSetSpec } from '../../scenes/resolve';

type EvaluateParams = Extract<ParsedJobRequest, { kind: 'evaluate' }>['params'];

/** The held-out sample scenes: what a run trained on `samples` is evaluated on by default. */
export const DEFAULT_EVAL_SCENES = 'heldout';

/** The held-out scenes in the engine's terms: a managed set's split as `set:NAME:SPLIT` (so the clean-test gate applies), else the set's folder. */
export function heldOutScenes(p: EvaluateParams): string {
  const set = p.scenes ?? DEFAULT_EVAL_SCENES;
  return p.split ? formatSetSpec({ set, split: p.split }) : sceneSetDir(set);
}

/** Robustness evaluation of a run on held-out scenes, beside noise and natural-image controls; writes eval.json and plots into the run. */
export const evaluateJob: JobHandler<'evaluate'> = {
  kind: 'evaluate',
  capability: () => ({ available: true }),
  title: (p) => `evaluate ${p.run} on ${p.scenes ?? DEFAULT_EVAL_SCENES}${p.split ? `:${p.split}` : ''}`,
  run: (p) => p.run,
  execute: async (p, ctx) => {
    const report = await evaluateRun(
      runDir(p.run),
      { scenes: heldOutScenes(p), ...(p.model ? { model: p.model } : {}), ...(p.views ? { views: p.views } : {}) },
      { onProgress: (done, total) => ctx.report({ step: done, steps: total, loss: {}, message: `${done} / ${total} views` }) },
    );
    const success = Object.fromEntries(Object.entries(report.variants).map(([k, v]) => [k, v.success]));
    return { run: p.run, result: { metric: report.metric, views: report.views, success, notes: report.notes } };
  },
};
