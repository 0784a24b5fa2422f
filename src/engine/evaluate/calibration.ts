/**
 * Match-threshold calibration for a face descriptor: from the similarities of pairs of
 * different people (impostor pairs), the threshold that keeps the false-match rate (FMR) at or
 * below a target, empirically and from a normal fit to the impostor scores (which extrapolates
 * past what a few hundred pairs can resolve).
 */

export interface PairScores {
  /** Similarities of pairs of faces of different people. */
  impostor: number[];
  /** Similarities of pairs of faces of the same person (distinct photos). */
  genuine: number[];
}

/** Splits the upper triangle of a similarity matrix into impostor and genuine pairs. */
export function pairScores(similarity: readonly (readonly number[])[], samePerson: (i: number, j: number) => boolean): PairScores {
  const out: PairScores = { impostor: [], genuine: [] };
  for (let i = 0; i < similarity.length; i++) {
    for (let j = i + 1; j < similarity.length; j++) (samePerson(i, j) ? out.genuine : out.impostor).push(similarity[i][j]);
  }
  return out;
}

export interface FmrThreshold {
  fmr: number;
  /** The lowest threshold whose empirical FMR is at most `fmr` (a match is similarity >= threshold). */
  empirical: number;
  /** False: fewer than 1/fmr impostor pairs, so `empirical` is only "above every impostor pair seen". */
  resolved: boolean;
  /** mean + z(fmr) · sd of the impostor scores: the threshold if they were normally distributed. */
  normalFit: number;
}

/** One-sided standard-normal quantiles z with P(Z >= z) = fmr, for the rates calibration reports. */
const NORMAL_UPPER_QUANTILE: Record<string, number> = { '0.1': 1.2816, '0.05': 1.6449, '0.01': 2.3263, '0.001': 3.0902, '0.0001': 3.719 };

/** How far above an impostor score a threshold sits to exclude it: far below any printed digit. */
const ABOVE = 1e-6;

export function thresholdForFmr(impostor: readonly number[], fmr: number): FmrThreshold {
  const z = NORMAL_UPPER_QUANTILE[String(fmr)];
  if (z === undefined) throw new Error(`no normal quantile tabulated for FMR ${fmr} (use ${Object.keys(NORMAL_UPPER_QUANTILE).join(', ')})`);
  if (impostor.length === 0) throw new Error('no impostor pairs to calibrate on');
  const sorted = [...impostor].sort((a, b) => b - a);
  // At most floor(fmr · n) impostor pairs may reach the threshold: it sits just above the next one.
  const allowed = Math.floor(fmr * sorted.length);
  const empirical = (sorted[allowed] ?? -1) + ABOVE;
  const mean = impostor.reduce((a, v) => a + v, 0) / impostor.length;
  const sd = Math.sqrt(impostor.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, impostor.length - 1));
  return { fmr, empirical, resolved: allowed >= 1, normalFit: mean + z * sd };
}

/** Fraction of scores at or above a threshold (FMR for impostor scores, 1 − FNMR for genuine ones). */
export function rateAtOrAbove(scores: readonly number[], threshold: number): number {
  return scores.length > 0 ? scores.filter((s) => s >= threshold).length / scores.length : 0;
}
