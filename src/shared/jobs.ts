import { z } from 'zod';
import { DEVICES } from './devices';
import { PATCH_PLACEMENTS, PHYSICAL_ATTACKS, PHYSICAL_GOALS, PHYSICAL_NUMBER_FIELDS, type PhysicalNumber } from './physical-attacks';
import { FileName, LimitedBytes, Slug } from './bytes';
import { DigitalAttackParams } from './digital';
import { SCENE_SPLITS } from './scenes';
import { EvaluateFacesParams } from './faces';
import { EOT_DEFAULTS } from './eot-defaults';

export { PATCH_PLACEMENTS };
import { EvalRobustJobParams, TrainJobParams } from './training';

/** Expectation-over-Transformation ranges; each 0 (or an equal min/max) switches it off. */
export const EotRanges = z.object({
  /** In-plane rotation, +/- degrees. */
  rotation: z.number().min(0).max(180).default(EOT_DEFAULTS.rotation),
  /** Out-of-plane tilt (viewpoint), +/- degrees. */
  tilt: z.number().min(0).max(80).default(EOT_DEFAULTS.tilt),
  /** Patch scale relative to its placement (distance). */
  scaleMin: z.number().min(0.1).max(4).default(EOT_DEFAULTS.scale[0]),
  scaleMax: z.number().min(0.1).max(4).default(EOT_DEFAULTS.scale[1]),
  /** Added to the patch colours (in [0,1] units), +/-. */
  brightness: z.number().min(0).max(1).default(EOT_DEFAULTS.brightness),
  /** Patch contrast factor in [1 - c, 1 + c]. */
  contrast: z.number().min(0).max(1).default(EOT_DEFAULTS.contrast[1] - 1),
  /** Sensor noise standard deviation in [0,1] pixel units, up to this value. */
  noise: z.number().min(0).max(0.5).default(EOT_DEFAULTS.noise),
  /** Camera blur sigma in model-input pixels, up to this value. */
  blur: z.number().min(0).max(10).default(EOT_DEFAULTS.blur[1]),
});
export type EotRanges = z.infer<typeof EotRanges>;

/** A tunable of the Design form, within the declared range and the app's tighter bounds (src/shared/physical-attacks.ts). */
function appNumber(name: PhysicalNumber): z.ZodNumber {
  const f = PHYSICAL_NUMBER_FIELDS[name];
  let schema = f.integer ? z.number().int() : z.number();
  const min = f.app?.min ?? f.min;
  schema = f.exclusiveMin && f.app?.min === undefined ? schema.gt(min) : schema.min(min);
  const max = f.app?.max ?? f.max;
  return max === undefined ? schema : schema.max(max);
}

export const AttackParams = z.object({
  model: z.string().min(1),
  attack: z.enum(PHYSICAL_ATTACKS).default('patch'),
  /** Left out: the kind's default goal (GOALS_OF[attack][0]). */
  goal: z.enum(PHYSICAL_GOALS).optional(),
  /** The class to hide or to attack (e.g. person). */
  className: z.string().optional(),
  /** The class or identity to become. */
  target: z.string().optional(),
  scenes: Slug,
  /** A managed set's split to train on (the engine's `set:NAME:SPLIT`); the whole folder when absent. */
  split: z.enum(SCENE_SPLITS).optional(),
  /** Patches on detected objects: box rule or torso; the engine's default when absent. */
  placement: z.enum(PATCH_PLACEMENTS).optional(),
  // Left out, these take the attack engine's defaults for the attack kind and goal (see attackDefaults).
  /** Patch and sticker shapes; glasses always use the frame silhouette. */
  shape: z.enum(['square', 'rectangle', 'circle']).optional(),
  /** Patch side relative to the object box diagonal (patch), area fraction (sticker), frame scale (glasses). */
  size: appNumber('size').optional(),
  /** Optimised texture resolution in pixels (longer side). */
  resolution: appNumber('resolution').optional(),
  steps: appNumber('steps').optional(),
  batch: appNumber('batch').optional(),
  learningRate: appNumber('lr').optional(),
  eot: EotRanges.optional(),
  palette: z.string().optional(),
  seed: z.number().int().default(1),
  /** Continue this run from its last checkpoint instead of starting a new one. */
  resume: Slug.optional(),
});
export type AttackParams = z.input<typeof AttackParams>;

/** What an attack kind starts from when the form leaves a field alone: the engine's own defaults. */
export const AttackDefaults = z.object({
  goal: z.string(),
  shape: z.string(),
  size: z.number(),
  resolution: z.number(),
  steps: z.number(),
  batch: z.number(),
  learningRate: z.number(),
  eot: EotRanges,
  /** Patches on detected objects: where they sit by default. */
  placement: z.enum(PATCH_PLACEMENTS).optional(),
});
export type AttackDefaults = z.infer<typeof AttackDefaults>;

export const EvaluateParams = z.object({
  run: Slug,
  /** Held-out scene set; the samples' held-out set when absent. */
  scenes: Slug.optional(),
  /** A managed set's split (test: evaluated once; the engine refuses runs that trained or tuned on it). */
  split: z.enum(SCENE_SPLITS).optional(),
  model: z.string().optional(),
  /** Views per scene. */
  views: z.number().int().min(1).max(256).optional(),
});

export const Paper = z.union([z.enum(['a4', 'letter', 'a3', 'legal']), z.object({ widthMm: z.number().min(50).max(5000), heightMm: z.number().min(50).max(5000) })]);

export const ExportPdfParams = z.object({
  run: Slug,
  /** Printed width of the patch. */
  sizeMm: z.number().min(5).max(2000),
  /** Eyeglass frames: the wearer's face width between the hinges, instead of sizeMm. */
  faceWidthMm: z.number().min(80).max(250).optional(),
  copies: z.number().int().min(1).max(100).default(1),
  paper: Paper.default('a4'),
  bleedMm: z.number().min(0).max(20).default(3),
  marks: z.boolean().default(true),
  cutContour: z.boolean().default(true),
});
export type ExportPdfParams = z.input<typeof ExportPdfParams>;

export const CalibrateParams = z.object({
  /** A photo (JPEG/PNG) of the printed calibration chart. */
  image: LimitedBytes,
  /** Name of the calibrated palette to save. */
  name: Slug.default('calibrated'),
  /** The palette the chart was printed from. */
  palette: z.string().min(1).default('default'),
});

/** Where the copies of an export land on its pages, computed by the engine's layout. */
export const PrintPreview = z.object({
  pageWidth: z.number(),
  pageHeight: z.number(),
  landscape: z.boolean(),
  perPage: z.number(),
  pages: z.number(),
  widthMm: z.number(),
  heightMm: z.number(),
  dpi: z.number(),
  bleedMm: z.number(),
  /** Trim rectangles (mm from the page's top-left) of the copies on the first page. */
  copies: z.array(z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() })),
  warnings: z.array(z.string()),
});
export type PrintPreview = z.infer<typeof PrintPreview>;

/** `patchlab trial` on a clip recorded by the Webcam screen: per-frame detection of a class over time. */
export const TrialParams = z.object({
  clip: z.object({ name: FileName.refine((n) => /\.(webm|mp4|mkv|mov)$/i.test(n), 'a .webm, .mp4, .mkv or .mov file'), bytes: LimitedBytes }),
  model: z.string().min(1),
  className: z.string().min(1).max(100),
  /** A run whose patch is looked for in each frame. */
  run: Slug.optional(),
  /** What this take is (e.g. 'with patch', 'without patch'). */
  label: z.string().max(60).default('trial'),
  /** Frames per second scored; the engine's default when absent. */
  fps: z.number().positive().max(30).optional(),
});

export const JobRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('attack'), params: AttackParams }),
  z.object({ kind: z.literal('evaluate'), params: EvaluateParams }),
  z.object({ kind: z.literal('exportPdf'), params: ExportPdfParams }),
  z.object({ kind: z.literal('calibrate'), params: CalibrateParams }),
  z.object({ kind: z.literal('digital'), params: DigitalAttackParams }),
  z.object({ kind: z.literal('evaluateFaces'), params: EvaluateFacesParams }),
  z.object({ kind: z.literal('trial'), params: TrialParams }),
  z.object({ kind: z.literal('train'), params: TrainJobParams }),
  z.object({ kind: z.literal('evalRobust'), params: EvalRobustJobParams }),
]);
export type JobRequest = z.input<typeof JobRequest>;
export type ParsedJobRequest = z.infer<typeof JobRequest>;
export type JobKind = ParsedJobRequest['kind'];
export const JOB_KINDS = ['attack', 'evaluate', 'exportPdf', 'calibrate', 'digital', 'evaluateFaces', 'trial', 'train', 'evalRobust'] as const satisfies readonly JobKind[];

export const JobState = z.enum(['queued', 'running', 'paused', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

/** States a job never leaves. */
export const FINISHED_JOB_STATES: readonly JobState[] = ['done', 'failed', 'cancelled'];

export function isFinished(state: JobState): boolean {
  return FINISHED_JOB_STATES.includes(state);
}

export const Progress = z.object({
  step: z.number().int().min(0),
  steps: z.number().int().min(0),
  /** Loss terms by name (task, nps, tv, total...). */
  loss: z.record(z.string(), z.number()).default({}),
  /** Fraction of the batch where the attack succeeded. */
  success: z.number().min(0).max(1).optional(),
  stepsPerSecond: z.number().optional(),
  etaSeconds: z.number().optional(),
  /** PNG of the patch as it stands. */
  preview: LimitedBytes.optional(),
  message: z.string().optional(),
});
export type Progress = z.infer<typeof Progress>;

export const JobInfo = z.object({
  id: z.string(),
  kind: z.enum(JOB_KINDS),
  state: JobState,
  /** What the job was asked, without binary payloads. */
  title: z.string(),
  run: Slug.optional(),
  progress: Progress.optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
  startedAt: z.number(),
  /** True when this job continues a run the engine was running when it crashed. */
  resumed: z.boolean().default(false),
});
export type JobInfo = z.infer<typeof JobInfo>;

export const JobIdParams = z.object({ id: z.string().min(1).max(100) });

export const Capability = z.object({ available: z.boolean(), reason: z.string().optional() });
export const DeviceStatus = z.object({
  /** The device sessions are created on from now on. */
  current: z.enum(DEVICES),
  /** Execution providers this onnxruntime build knows here (loadable or not). */
  known: z.array(z.string()),
  /** What the current device resolved to, in preference order (auto: the accelerator that loaded, or cpu). */
  providers: z.array(z.string()),
});
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const Capabilities = z.object({
  jobs: z.record(z.enum(JOB_KINDS), Capability),
  webcam: Capability,
  version: z.string(),
  device: DeviceStatus.optional(),
});
export type Capabilities = z.infer<typeof Capabilities>;
