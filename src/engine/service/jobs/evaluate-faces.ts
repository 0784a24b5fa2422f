import { evaluateOnGallery, GALLERY_VARIANTS } from '../../evaluate/faces-gallery';
import { UserError } from '../../errors';
import { hasManifest } from '../../scenes/manifest';
import { selectScenes } from '../../scenes/resolve';
import { runDir } from '../handlers/runs';
import { sceneSetDir } from '../handlers/scenes';
import type { JobHandler } from '../types';

/** The probe photos a scene set (and split) names, as evaluateOnGallery takes them: a folder, or a list of files. */
export function probePhotos(set: string, split?: 'train' | 'val' | 'test'): string {
  if (hasManifest(set)) return selectScenes({ set, ...(split ? { split } : {}) }).files.join(',');
  if (split) throw new UserError(`scene set '${set}' has no splits (it was not made by the scenes code); leave the split out`);
  return sceneSetDir(set);
}

/**
 * `patchlab eval RUN --probes DIR --wearer G [--impersonate G]` for the Evaluate screen: eyeglass
 * frames on the wearer's probe photos, identified against the galleries and verified at the
 * match threshold, beside noise, plain and clean controls; writes faces-eval.json into the run.
 */
export const evaluateFacesJob: JobHandler<'evaluateFaces'> = {
  kind: 'evaluateFaces',
  capability: () => ({ available: true }),
  title: (p) => `faces ${p.run}: ${p.wearer}${p.impersonate ? ` → ${p.impersonate}` : ''} on ${p.probes.set}${p.probes.split ? `:${p.probes.split}` : ''}`,
  run: (p) => p.run,
  execute: async (p, ctx) => {
    ctx.report({ step: 0, steps: 1, loss: {}, message: 'judging probe photos' });
    const report = await evaluateOnGallery(runDir(p.run), {
      probes: probePhotos(p.probes.set, p.probes.split),
      wearer: p.wearer,
      ...(p.impersonate ? { target: p.impersonate } : {}),
      ...(p.galleries ? { galleries: p.galleries } : {}),
      ...(p.threshold !== undefined ? { threshold: p.threshold } : {}),
    });
    return {
      run: p.run,
      result: { goal: report.goal, threshold: report.threshold, probes: report.probes, skipped: report.skipped.length, variants: [...GALLERY_VARIANTS], rates: report.rates },
    };
  },
};
