import { z } from 'zod';
import { FileName, LimitedBytes, Slug } from './bytes';
import { SCENE_SPLITS } from './scenes';

/** One saved gallery (an enrolled identity), as the Evaluate screen lists it. */
export const GallerySummary = z.object({
  name: z.string(),
  model: z.string(),
  /** Faces enrolled (one per photo or frame where the detector found a face). */
  faces: z.number().int(),
  /** Photos or frames left out because no face was found. */
  skipped: z.number().int(),
  created: z.string(),
});
export type GallerySummary = z.infer<typeof GallerySummary>;

/** The match threshold face evaluations use by default, and where it comes from. */
export const FaceThreshold = z.object({
  model: z.string(),
  /** Similarity at or above which two faces match. */
  threshold: z.number(),
  /** The manifest's own threshold (what is used until `faces calibrate` measures one). */
  manifest: z.number().optional(),
  /** The stored calibration's operating points, when measured (the FMR 1% one is the default). */
  calibration: z
    .object({
      measured: z.string(),
      identities: z.number(),
      genuinePairs: z.number(),
      impostorPairs: z.number(),
      points: z.array(z.object({ fmr: z.number(), threshold: z.number(), tmr: z.number() })),
    })
    .optional(),
});
export type FaceThreshold = z.infer<typeof FaceThreshold>;

export const ListGalleriesParams = z.object({ model: z.string().min(1).optional() });

export const EnrolFacesParams = z.object({
  /** Gallery name; enrolling an existing name replaces that gallery. */
  name: Slug,
  /** Captured frames of one person (JPEG/PNG). */
  frames: z.array(z.object({ name: FileName, bytes: LimitedBytes })).min(1).max(64),
  /** Face descriptor; the engine's default when absent. */
  model: z.string().min(1).optional(),
});

export const EnrolFacesResult = z.object({ gallery: GallerySummary, skipped: z.array(z.string()) });

/** Probe photos of the wearer: a scene set (and one of its splits), never a path. */
export const ProbeSet = z.object({ set: Slug, split: z.enum(SCENE_SPLITS).optional() });

/** `patchlab eval RUN --probes DIR --wearer G [--impersonate G] [--gallery A,B] [--threshold T]` as a job. */
export const EvaluateFacesParams = z.object({
  run: Slug,
  probes: ProbeSet,
  wearer: Slug,
  impersonate: Slug.optional(),
  /** Galleries to identify against; every saved one when absent. */
  galleries: z.array(Slug).min(1).optional(),
  /** Match threshold; the model's default (calibrated FMR 1% where measured) when absent. */
  threshold: z.number().min(-1).max(1).optional(),
});

/** The parts of faces-eval.json the Evaluate screen draws. */
export const FacesEvalSummary = z.object({
  goal: z.string(),
  model: z.string(),
  threshold: z.number(),
  wearer: z.string(),
  target: z.string().optional(),
  galleries: z.array(z.string()),
  probes: z.number(),
  skipped: z.array(z.string()),
  rates: z.record(z.string(), z.object({ success: z.number(), notDetected: z.number(), rank1Wearer: z.number() })),
  variants: z.record(z.string(), z.object({ probes: z.number(), meanWearerSimilarity: z.number(), meanTargetSimilarity: z.number().optional() }).loose()),
});
export type FacesEvalSummary = z.infer<typeof FacesEvalSummary>;
