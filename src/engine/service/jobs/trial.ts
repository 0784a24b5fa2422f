import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic';
import { patchlabHome } from '../../paths';
import { newRunId } from '../../runs/run-id';
import { runTrial } from '../../trial/trial';
import { runDir } from '../handlers/runs';
import type { JobHandler } from '../types';

/** Trials the Webcam screen recorded: $PATCHLAB_HOME/trials/<id>/ holds the clip, trial.json and the pictures. */
export function trialsDir(): string {
  return join(patchlabHome(), 'trials');
}

/** `patchlab trial CLIP --model M --class C [--run RUN]` on a clip the Webcam screen recorded. */
export const trialJob: JobHandler<'trial'> = {
  kind: 'trial',
  capability: () => ({ available: true }),
  title: (p) => `trial ${p.label}: ${p.className} vs ${p.model}`,
  execute: async (p, ctx) => {
    const id = newRunId(['trial', p.label, p.model]);
    const dir = join(trialsDir(), id);
    const clip = join(dir, `clip${p.clip.name.slice(p.clip.name.lastIndexOf('.')).toLowerCase()}`);
    writeFileAtomic(clip, p.clip.bytes);
    const report = await runTrial(clip, {
      model: p.model,
      className: p.className,
      ...(p.run ? { run: runDir(p.run) } : {}),
      ...(p.fps !== undefined ? { fps: p.fps } : {}),
      out: dir,
      onProgress: (n) => ctx.report({ step: n, steps: 0, loss: {}, message: `${n} frames scored` }),
    });
    return {
      result: {
        trial: id,
        label: p.label,
        class: report.class,
        minScore: report.minScore,
        rate: report.rate,
        ...(report.patchFound !== undefined ? { patchFound: report.patchFound } : {}),
        frames: report.frames.map((f) => ({ time: f.time, detected: f.detected, score: f.score, ...(f.patch ? { patch: f.patch.score } : {}) })),
        notes: report.notes,
      },
    };
  },
};
