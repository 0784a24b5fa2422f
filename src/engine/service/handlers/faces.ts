import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { targetFromModel } from '../../attacks/physical/model-target';
import { UserError } from '../../errors';
import { loadCalibration } from '../../faces/calibration-store';
import { DEFAULT_FACE_MODEL, zooFaceModels } from '../../faces/embed';
import { enrolGallery, galleriesDir, listGalleries, type Gallery } from '../../faces/gallery';
import { writeFileAtomic } from '../../fs/atomic';
import { decodeImage, encodeImage } from '../../image/image';
import { loadModel } from '../../models/loaded';
import type { GallerySummary } from '../../../shared/index';
import type { CallHandler } from '../types';

/** Captured frames of a webcam enrolment live beside the gallery they made, so its entries' sources stay readable. */
const CAPTURES = /^webcam-\d+$/;

function summary(g: Gallery): GallerySummary {
  return { name: g.name, model: g.model, faces: g.entries.length, skipped: g.skipped.length, created: g.created };
}

/** Saved galleries (`patchlab faces list`) and the match threshold evaluations use by default with the descriptor. */
export const listGalleriesHandler: CallHandler<'listGalleries'> = async ({ model }) => {
  const loaded = await loadModel(model ?? DEFAULT_FACE_MODEL);
  if (loaded.head.kind !== 'embedding') throw new UserError(`model: ${loaded.name} is not a face descriptor (its head is ${loaded.head.kind})`);
  const calibration = loadCalibration(loaded.hash);
  return {
    galleries: listGalleries().map(summary),
    threshold: {
      model: loaded.name,
      // The same resolution the attacks and evaluations use: calibrated FMR 1% where measured, else the manifest's.
      threshold: targetFromModel(loaded).threshold,
      ...(loaded.head.threshold !== undefined ? { manifest: loaded.head.threshold } : {}),
      ...(calibration
        ? {
            calibration: {
              measured: calibration.measured,
              identities: calibration.identities,
              genuinePairs: calibration.genuinePairs,
              impostorPairs: calibration.impostorPairs,
              points: calibration.points.map((p) => ({ fmr: p.fmr, threshold: p.threshold, tmr: p.tmr })),
            },
          }
        : {}),
    },
  };
};

/**
 * `patchlab faces enrol NAME PHOTOS...` on frames the Webcam screen captured: each frame is
 * decoded (only real images are kept), saved under the gallery's folder, and enrolled by the
 * engine's gallery code. Enrolling a name again replaces that gallery, as the CLI does.
 */
export const enrolFacesHandler: CallHandler<'enrolFaces'> = async ({ name, frames, model }) => {
  const gallery = join(galleriesDir(), name);
  const folder = `webcam-${Date.now()}`;
  const dir = join(gallery, folder);
  const files: string[] = [];
  try {
    for (const [i, frame] of frames.entries()) {
      const decoded = await decodeImage(frame.bytes, { label: frame.name });
      const file = join(dir, `frame-${String(i + 1).padStart(3, '0')}.jpg`);
      writeFileAtomic(file, await encodeImage(decoded, 'jpeg', 92));
      files.push(file);
    }
    const saved = await enrolGallery(name, files, await zooFaceModels(model));
    // The frames of earlier webcam enrolments belong to the gallery this one replaced.
    for (const d of readdirSync(gallery)) if (CAPTURES.test(d) && d !== folder) rmSync(join(gallery, d), { recursive: true, force: true });
    return { gallery: summary(saved), skipped: saved.skipped.map((s) => s.slice(dir.length + 1)) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    // A name enrolled for the first time leaves no empty folder behind.
    if (existsSync(gallery) && readdirSync(gallery).length === 0) rmSync(gallery, { recursive: true, force: true });
    throw error;
  }
};
