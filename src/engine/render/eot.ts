import { z } from 'zod';
import type { Rng } from '../random';
import { EOT_DEFAULTS } from '../../shared/eot-defaults';

const Range = z.tuple([z.number(), z.number()]).refine(([lo, hi]) => hi >= lo, 'range high end below low end');

/**
 * The distribution of views a patch must survive. Angles in degrees; a symmetric range is
 * given by its half-width (rotation 20 = uniform in [-20°, 20°]); 0 or [1, 1] switches a
 * transform off.
 */
export const EotSchema = z.object({
  /** In-plane rotation of the patch, ± degrees. */
  rotation: z.number().min(0).max(180).default(EOT_DEFAULTS.rotation),
  /** Out-of-plane tilt (viewpoint), ± degrees about a random in-plane axis. */
  tilt: z.number().min(0).max(80).default(EOT_DEFAULTS.tilt),
  /** Patch size relative to its placement (distance). */
  scale: Range.default(EOT_DEFAULTS.scale),
  /** Shift of the patch centre, ± fraction of the patch size. */
  jitter: z.number().min(0).max(1).default(0.05),
  /** Added to the patch colours, ±. */
  brightness: z.number().min(0).max(1).default(EOT_DEFAULTS.brightness),
  contrast: Range.default(EOT_DEFAULTS.contrast),
  gamma: Range.default([0.8, 1.25]),
  /** Per-channel gain (white balance), ± fraction. */
  gain: z.number().min(0).max(1).default(0.1),
  /** Camera blur, Gaussian sigma in model-input pixels. */
  blur: Range.default(EOT_DEFAULTS.blur),
  /** Sensor noise, Gaussian std up to this value. */
  noise: z.number().min(0).max(0.5).default(EOT_DEFAULTS.noise),
  /** Whole-view rotation (± degrees), scale and shift (± fraction of the image): the camera moving around the scene. */
  viewRotation: z.number().min(0).max(180).default(0),
  viewScale: Range.default([1, 1]),
  viewShift: z.number().min(0).max(0.5).default(0),
  /**
   * Scene augmentation (training only): each view sees a random window of the photo, this
   * fraction of its width and height, zoomed to the full input, so a few photos show people at
   * many sizes, positions and framings. [1, 1] = the whole photo.
   */
  sceneCrop: Range.refine(([lo, hi]) => lo > 0 && hi <= 1, 'crop fractions lie in (0, 1]').default([1, 1]),
  /** Scene augmentation (training only): probability a view mirrors the photo left-right (the patch itself is never mirrored). */
  sceneFlip: z.number().min(0).max(1).default(0),
});

export type EotConfig = z.infer<typeof EotSchema>;
export type EotInput = z.input<typeof EotSchema>;

/** Every transform off: the patch exactly on its placement. */
export const NO_EOT: EotConfig = {
  rotation: 0,
  tilt: 0,
  scale: [1, 1],
  jitter: 0,
  brightness: 0,
  contrast: [1, 1],
  gamma: [1, 1],
  gain: 0,
  blur: [0, 0],
  noise: 0,
  viewRotation: 0,
  viewScale: [1, 1],
  viewShift: 0,
  sceneCrop: [1, 1],
  sceneFlip: 0,
};

/** One drawn view. */
export interface ViewParams {
  rotation: number;
  tilt: number;
  tiltAxis: number;
  scale: number;
  jitter: [number, number];
  brightness: number;
  contrast: number;
  gamma: number;
  gain: [number, number, number];
  blur: number;
  noise: number;
  viewRotation: number;
  viewScale: number;
  viewShift: [number, number];
  /** Side of the photo window this view sees (fraction), and where: 0 = left/top edge, 1 = right/bottom edge. */
  crop: number;
  cropAt: [number, number];
  /** The photo mirrored left-right. */
  flip: boolean;
}

export const IDENTITY_VIEW: ViewParams = {
  rotation: 0,
  tilt: 0,
  tiltAxis: 0,
  scale: 1,
  jitter: [0, 0],
  brightness: 0,
  contrast: 1,
  gamma: 1,
  gain: [1, 1, 1],
  blur: 0,
  noise: 0,
  viewRotation: 0,
  viewScale: 1,
  viewShift: [0, 0],
  crop: 1,
  cropAt: [0.5, 0.5],
  flip: false,
};

function sym(rng: Rng, half: number): number {
  return half > 0 ? rng.uniform(-half, half) : 0;
}

function within(rng: Rng, [lo, hi]: readonly [number, number]): number {
  return hi > lo ? rng.uniform(lo, hi) : lo;
}

/** Gamma is drawn log-uniformly so 0.8 and 1.25 are equally likely. */
function logWithin(rng: Rng, [lo, hi]: readonly [number, number]): number {
  return hi > lo ? Math.exp(rng.uniform(Math.log(lo), Math.log(hi))) : lo;
}

export function sampleView(eot: EotConfig, rng: Rng): ViewParams {
  return {
    rotation: sym(rng, eot.rotation),
    tilt: eot.tilt > 0 ? rng.uniform(0, eot.tilt) : 0,
    tiltAxis: rng.uniform(0, 180),
    scale: within(rng, eot.scale),
    jitter: [sym(rng, eot.jitter), sym(rng, eot.jitter)],
    brightness: sym(rng, eot.brightness),
    contrast: within(rng, eot.contrast),
    gamma: logWithin(rng, eot.gamma),
    gain: [1 + sym(rng, eot.gain), 1 + sym(rng, eot.gain), 1 + sym(rng, eot.gain)],
    blur: within(rng, eot.blur),
    noise: eot.noise > 0 ? rng.uniform(0, eot.noise) : 0,
    viewRotation: sym(rng, eot.viewRotation),
    viewScale: within(rng, eot.viewScale),
    viewShift: [sym(rng, eot.viewShift), sym(rng, eot.viewShift)],
    // Drawn only when switched on, so runs without scene augmentation keep their random stream.
    crop: within(rng, eot.sceneCrop),
    cropAt: eot.sceneCrop[0] < 1 ? [rng.next(), rng.next()] : [0.5, 0.5],
    flip: eot.sceneFlip > 0 ? rng.next() < eot.sceneFlip : false,
  };
}

/** How much wider than training's ranges `eval` draws its views by default (and validation, to follow what eval reports). */
export const EVAL_WIDEN = 1.5;

/**
 * Widens every range by `factor` (for evaluation on views the optimiser never drew). Scene
 * augmentation is for training only: evaluation judges the photos whole and unmirrored, so
 * runs trained with and without it are measured on the same views.
 */
export function widenEot(eot: EotConfig, factor: number): EotConfig {
  const widen = ([lo, hi]: readonly [number, number], centre: number, floor = 0): [number, number] => [Math.max(floor, centre - (centre - lo) * factor), centre + (hi - centre) * factor];
  return {
    rotation: Math.min(180, eot.rotation * factor),
    tilt: Math.min(80, eot.tilt * factor),
    scale: widen(eot.scale, 1, 0.2),
    jitter: Math.min(1, eot.jitter * factor),
    brightness: Math.min(1, eot.brightness * factor),
    contrast: widen(eot.contrast, 1, 0.1),
    gamma: [Math.pow(eot.gamma[0], factor), Math.pow(eot.gamma[1], factor)],
    gain: Math.min(1, eot.gain * factor),
    blur: [eot.blur[0], eot.blur[1] * factor],
    noise: Math.min(0.5, eot.noise * factor),
    viewRotation: Math.min(180, eot.viewRotation * factor),
    viewScale: widen(eot.viewScale, 1, 0.2),
    viewShift: Math.min(0.5, eot.viewShift * factor),
    sceneCrop: [1, 1],
    sceneFlip: 0,
  };
}
