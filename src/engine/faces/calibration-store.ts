import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic';
import { patchlabHome } from '../paths';

/** One operating point: a match is similarity >= threshold. */
const Point = z.strictObject({
  fmr: z.number(),
  threshold: z.number(),
  /** How the threshold was read: the empirical quantile, or a normal fit where the pairs cannot resolve the rate. */
  from: z.enum(['empirical', 'normal-fit']),
  empirical: z.number(),
  normalFit: z.number(),
  /** Fraction of same-person pairs accepted at the threshold (true-match rate). */
  tmr: z.number(),
  /** Measured false-match rate of the impostor pairs at the threshold. */
  measuredFmr: z.number(),
});
export type OperatingPoint = z.infer<typeof Point>;

const Calibration = z.strictObject({
  model: z.string(),
  modelHash: z.string(),
  measured: z.string(),
  /** Where the pairs came from (folder of identities) and how many of each kind. */
  source: z.string(),
  identities: z.number(),
  photos: z.number(),
  genuinePairs: z.number(),
  impostorPairs: z.number(),
  points: z.array(Point).min(1),
});
export type FaceCalibration = z.infer<typeof Calibration>;

/** Calibrations live with the user's data, keyed by the hash of the model's bytes. */
function calibrationFile(modelHash: string): string {
  return join(patchlabHome(), 'calibrations', `${modelHash}.json`);
}

export function saveCalibration(calibration: FaceCalibration): string {
  const file = calibrationFile(calibration.modelHash);
  writeFileAtomic(file, JSON.stringify(Calibration.parse(calibration), null, 2) + '\n');
  return file;
}

/** The stored calibration of a model, or undefined (none measured, or unreadable: then the manifest decides). */
export function loadCalibration(modelHash: string): FaceCalibration | undefined {
  const file = calibrationFile(modelHash);
  if (!modelHash || !existsSync(file)) return undefined;
  const parsed = Calibration.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

/** The false-match rate whose threshold is the default match threshold. */
export const DEFAULT_FMR = 0.01;

/** The match threshold to use by default: the calibrated FMR-1% one where measured, else the manifest's. */
export function matchThreshold(modelHash: string, manifestThreshold: number): number {
  const point = loadCalibration(modelHash)?.points.find((p) => p.fmr === DEFAULT_FMR);
  return point?.threshold ?? manifestThreshold;
}
