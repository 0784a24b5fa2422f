import { UserError } from '../../errors';
import type { Norm } from '../../classifier/batch';
import { Rng } from '../../random';
import type { UniversalRunOptions } from './run-universal';

export interface UniversalChoices {
  method?: 'sgd' | 'deepfool';
  eps?: number;
  norm?: Norm;
  /** sgd: ascent steps. */
  steps?: number;
  /** deepfool: stop once this fraction of the training images is fooled. */
  foolingRate?: number;
  maxPasses?: number;
  overshoot?: number;
  maxIter?: number;
  seed?: number;
}

/** A universal attack's settings, with `patchlab attack universal`'s defaults for what is not given. */
export function resolveUniversalSettings(c: UniversalChoices): UniversalRunOptions['settings'] {
  const eps = c.eps ?? 10 / 255;
  const norm = c.norm ?? 'linf';
  if ((c.method ?? 'sgd') === 'sgd') return { method: 'sgd', eps, norm, steps: c.steps ?? 40, lossCap: 100 };
  return {
    method: 'deepfool',
    eps,
    norm,
    targetRate: c.foolingRate ?? 0.8,
    maxPasses: c.maxPasses ?? 10,
    deepfool: { overshoot: c.overshoot ?? 0.02, maxIter: c.maxIter ?? 10, candidates: 10 },
    seed: c.seed ?? 0,
  };
}

/** Training and held-out images: a seeded random `fraction` of the images to compute on, the rest held out (each list kept in input order). */
export function splitImages<T>(all: readonly T[], fraction: number, seed: number): { train: T[]; heldOut: T[] } {
  if (!(fraction > 0 && fraction < 1)) throw new UserError(`--split: '${fraction}' must be between 0 and 1`);
  if (all.length < 2) throw new UserError('universal: needs at least two images (or --holdout)');
  const order = new Rng(seed).sample(all.length, all.length);
  const cut = Math.max(1, Math.min(all.length - 1, Math.round(fraction * all.length)));
  return {
    train: order.slice(0, cut).sort((a, b) => a - b).map((i) => all[i]),
    heldOut: order.slice(cut).sort((a, b) => a - b).map((i) => all[i]),
  };
}
