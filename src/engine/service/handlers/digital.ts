import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { resolveAttackSettings } from '../../attacks/digital/settings';
import { UserError } from '../../errors';
import { DigitalResults } from '../../../shared/index';
import { imageAttackOf } from '../jobs/digital';
import { runDir } from './runs';
import { listSceneSets, sceneSetDir } from './scenes';
import type { CallHandler } from '../types';

/** The settings an attack runs with when the form leaves them alone: the CLI's defaults. */
export const digitalDefaultsHandler: CallHandler<'digitalDefaults'> = async ({ attack, via, norm }) => {
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
  let raw: { summary?: unknown; results?: RawResult[] };
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as typeof raw;
  } catch {
    throw new UserError(`run '${run}': results.json is not valid JSON`);
  }
  const sets = new Map(listSceneSets().map((s) => [resolve(sceneSetDir(s.id)), s.id]));
  const results = (Array.isArray(raw.results) ? raw.results : []).map((r) => {
    const { adversarialImage, perturbationImage, panelImage, image, ...rest } = r;
    const set = typeof image === 'string' ? sets.get(resolve(dirname(image))) : undefined;
    return {
      ...rest,
      image: fileName(image) ?? String(image),
      ...(set ? { source: { set, image: basename(image) } } : {}),
      files: { adversarial: fileName(adversarialImage), perturbation: fileName(perturbationImage), panel: fileName(panelImage) },
    };
  });
  const parsed = DigitalResults.safeParse({ run, summary: raw.summary, results });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`run '${run}': results.json does not look like a digital attack's (${issue.path.join('.')}: ${issue.message})`);
  }
  return parsed.data;
};
