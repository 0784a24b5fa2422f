import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { resolveAttackSettings } from '../../attacks/digital/settings';
import { resolveUniversalSettings } from '../../attacks/digital/universal-settings';
import { UserError } from '../../errors';
import { DEFAULT_DIGITAL_SETTINGS, DigitalResults } from '../../../shared/index';
import { imageAttackOf } from '../jobs/digital';
import { runDir } from './runs';
import { listSceneSets, sceneSetDir } from './scenes';
import type { CallHandler } from '../types';
import { firstIssue } from '../../../shared/zod-issue';

/** The settings an attack runs with when the form leaves them alone: the CLI's defaults. */
export const digitalDefaultsHandler: CallHandler<'digitalDefaults'> = async ({ attack, via, norm }) => {
  if (attack === 'universal') {
    // The universal attack's own knobs (eps, steps; DeepFool's overshoot and iterations) over the shared defaults.
    const u = resolveUniversalSettings({ method: 'sgd', ...(norm ? { norm } : {}) });
    const d = resolveUniversalSettings({ method: 'deepfool' });
    return { ...DEFAULT_DIGITAL_SETTINGS, eps: u.eps, norm: u.norm, steps: u.method === 'sgd' ? u.steps : DEFAULT_DIGITAL_SETTINGS.steps, ...(d.method === 'deepfool' ? { overshoot: d.deepfool.overshoot, maxIter: d.deepfool.maxIter } : {}) };
  }
  const { stepSize, ...settings } = resolveAttackSettings(imageAttackOf({ attack, via: via ?? 'mifgsm' }), norm ? { norm } : {});
  return stepSize === undefined ? settings : { ...settings, stepSize };
};

type RawResult = Record<string, unknown> & { image: string; adversarialImage?: string; perturbationImage?: string; panelImage?: string };

const fileName = (path: unknown): string | undefined => (typeof path === 'string' ? basename(path) : undefined);

/**
 * A digital run's results.json (as `patchlab attack` writes it) for the lab: file paths become
 * names of the run's files, and inputs from a scene set name their set and image.
 */
export const digitalResultsHandler: CallHandler<'digitalResults'> = async ({ run }) => {
  const path = join(runDir(run), 'results.json');
  if (!existsSync(path)) throw new UserError(`run '${run}' has no results.json: it is not a digital attack, or it was stopped before it finished`);
  let raw: { summary?: Record<string, unknown>; results?: RawResult[]; train?: RawResult[]; heldOut?: RawResult[] };
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as typeof raw;
  } catch {
    throw new UserError(`run '${run}': results.json is not valid JSON`);
  }
  const sets = new Map(listSceneSets().map((s) => [resolve(sceneSetDir(s.id)), s.id]));
  const convert = (list: RawResult[] | undefined, folder?: 'train' | 'heldout') =>
    (Array.isArray(list) ? list : []).map((r) => {
      const { adversarialImage, perturbationImage, panelImage, image, ...rest } = r;
      const set = typeof image === 'string' ? sets.get(resolve(dirname(image))) : undefined;
      return {
        ...rest,
        image: fileName(image) ?? String(image),
        ...(folder ? { folder } : {}),
        ...(set ? { source: { set, image: basename(image) } } : {}),
        files: { adversarial: fileName(adversarialImage), perturbation: fileName(perturbationImage), panel: fileName(panelImage) },
      };
    });
  // A universal run (run-universal.ts) judges its one perturbation on training and held-out images separately.
  const universal = raw.summary?.attack === 'universal' && Array.isArray(raw.train);
  const parsed = DigitalResults.safeParse(
    universal
      ? { run, summary: raw.summary?.train, results: [...convert(raw.train, 'train'), ...convert(raw.heldOut, 'heldout')], universal: { ...raw.summary, perturbation: 'universal.png' } }
      : { run, summary: raw.summary, results: convert(raw.results) },
  );
  if (!parsed.success) {
    throw new UserError(`run '${run}': results.json does not look like a digital attack's (${firstIssue(parsed.error, '')})`);
  }
  return parsed.data;
};
