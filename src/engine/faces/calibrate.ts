import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { UserError } from '../errors';
import { pairScores, rateAtOrAbove, thresholdForFmr } from '../evaluate/calibration';
import { decodeImage } from '../image/image';
import { faceSimilarity } from '../models/faces';
import type { FaceCalibration, OperatingPoint } from './calibration-store';
import { embedLargestFace, type FaceModels } from './embed';

const PHOTO = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** Photos under a folder (recursively), optionally only those inside a subfolder named in `splits`. */
function photosUnder(dir: string, splits?: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (PHOTO.has(extname(e.name).toLowerCase())) out.push(p);
    }
  };
  walk(dir);
  return splits ? out.filter((p) => relative(dir, p).split('/').slice(0, -1).some((s) => splits.includes(s))) : out;
}

/** `DIR/<identity>/...photos`: one folder per person; every photo in it (at any depth) shows that person. */
export function identityPhotos(dir: string, splits?: readonly string[]): Map<string, string[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--pairs ${dir}: not a folder (expected one subfolder of photos per person)`);
  const people = new Map<string, string[]>();
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const photos = photosUnder(join(dir, e.name), splits);
    if (photos.length > 0) people.set(e.name, photos);
  }
  if (people.size < 2) throw new UserError(`--pairs ${dir}: needs photos of at least 2 people (one subfolder each), found ${people.size}`);
  return people;
}

export interface CalibrateOptions {
  fmrs?: number[];
  splits?: string[];
  onNote?: (message: string) => void;
}

/**
 * Similarities of every pair of photos: same folder = genuine pair, different folders = impostor
 * pair. The threshold for each FMR is the empirical one where there are enough impostor pairs to
 * resolve it (at least 1/FMR), else the normal fit; TMR is the fraction of genuine pairs it accepts.
 */
export async function calibrateOnPhotos(dir: string, models: FaceModels, options: CalibrateOptions = {}): Promise<FaceCalibration> {
  const people = identityPhotos(dir, options.splits);
  const vectors: Float32Array[] = [];
  const owner: string[] = [];
  for (const [person, photos] of people) {
    for (const photo of photos) {
      const found = await embedLargestFace(models, await decodeImage(photo, { label: photo }), photo);
      if (!found) {
        options.onNote?.(`${photo}: no face found; left out`);
        continue;
      }
      vectors.push(found.embedding);
      owner.push(person);
    }
  }
  const similarity = vectors.map((a) => vectors.map((b) => faceSimilarity(a, b)));
  const { impostor, genuine } = pairScores(similarity, (i, j) => owner[i] === owner[j]);
  if (impostor.length === 0) throw new UserError(`--pairs ${dir}: no pair of different people with a detected face`);
  if (genuine.length === 0) throw new UserError(`--pairs ${dir}: no person has two photos with a detected face (the true-match rate needs same-person pairs)`);
  const points: OperatingPoint[] = (options.fmrs ?? [0.01, 0.001]).map((fmr) => {
    const t = thresholdForFmr(impostor, fmr);
    const threshold = t.resolved ? t.empirical : t.normalFit;
    return { fmr, threshold, from: t.resolved ? 'empirical' : 'normal-fit', empirical: t.empirical, normalFit: t.normalFit, tmr: rateAtOrAbove(genuine, threshold), measuredFmr: rateAtOrAbove(impostor, threshold) };
  });
  return {
    model: models.descriptor.name,
    modelHash: models.descriptor.hash ?? '',
    measured: new Date().toISOString(),
    source: dir,
    identities: new Set(owner).size,
    photos: vectors.length,
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    points,
  };
}
