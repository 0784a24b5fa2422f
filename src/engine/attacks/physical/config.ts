import { z } from 'zod';
import { UserError } from '../../errors';
import { EotSchema, type EotInput } from '../../render/eot';
import { ShapeSchema } from '../../render/shapes';
import { OptimiserSchema } from './optimiser';
import { firstIssue } from '../../../shared/zod-issue';
import {
  GOALS_OF,
  HIDE_LOSSES,
  KEEP_DETECTABLE_WEIGHT,
  PHYSICAL_ATTACKS,
  PHYSICAL_ATTACKS_DECLARED,
  PHYSICAL_GOALS,
  PHYSICAL_NUMBER_FIELDS,
  physicalDefaults,
  SAMPLE_BY,
  type PhysicalAttackKind,
  type PhysicalGoal,
  type PhysicalNumber,
} from '../../../shared/physical-attacks';
import { parseShape } from '../../render/shapes';

export { HIDE_LOSSES, KEEP_DETECTABLE_WEIGHT, SAMPLE_BY };

export const ATTACK_KINDS = PHYSICAL_ATTACKS;
export type AttackKind = PhysicalAttackKind;
export const GOALS = PHYSICAL_GOALS;
export type Goal = PhysicalGoal;

const Quad8 = z.array(z.number()).length(8);

/** A numeric tunable's validation, from its range in the shared declaration. */
function numberField(name: PhysicalNumber): z.ZodNumber {
  const f = PHYSICAL_NUMBER_FIELDS[name];
  let schema = f.integer ? z.number().int() : z.number();
  schema = f.exclusiveMin ? schema.gt(f.min) : schema.min(f.min);
  return f.max === undefined ? schema : schema.max(f.max);
}

export const PlacementSchema = z.discriminatedUnion('kind', [
  /** On each detected object of the attacked class (the largest one only for stickers). */
  z.object({
    kind: z.literal('detect'),
    minScore: z.number().min(0).max(1).optional(),
    /** box: adversarial-yolo's square on the box; torso: on the chest from pose keypoints (the box rule where they are missing). */
    on: z.enum(['box', 'torso']).optional(),
  }),
  /** A fixed quad x1,y1,...,x4,y4 (top-left, top-right, bottom-right, bottom-left) in original scene pixels. */
  z.object({ kind: z.literal('quad'), quad: Quad8 }),
  /** On the eyes, from face keypoints: the frame's lens centres on the eyes. */
  z.object({ kind: z.literal('eyes') }),
  /** At the centre of every scene, side = size · the shorter image side (classifiers). */
  z.object({ kind: z.literal('centre') }),
]);
export type Placement = z.infer<typeof PlacementSchema>;

/** Whether patches go on the chest from pose keypoints: only patches take torso placement (stickers and glasses ignore it). */
export function onTorso(attack: AttackKind, placement: Placement): boolean {
  return attack === 'patch' && placement.kind === 'detect' && placement.on === 'torso';
}

/** Everything a physical attack run needs; run.json stores it with defaults filled in. */
export const PhysicalAttackSchema = z.object({
  attack: z.enum(ATTACK_KINDS),
  model: z.string().min(1),
  goal: z.enum(GOALS),
  /** The class to hide or whose objects carry the patch (detectors), or the true label (classifiers). */
  class: z.string().optional(),
  /** The class to make the model see, or (glasses, impersonate) a photo of the person to become. */
  target: z.string().optional(),
  /** A folder of scene images, or image files separated by commas. */
  scenes: z.string().min(1),
  shape: ShapeSchema,
  /**
   * Patch size relative to its placement. patch: side = size · diagonal of the object box
   * (0.2); sticker: area = size · box area (0.08); glasses: frame scale (1); fixed quads ignore it.
   */
  size: numberField('size'),
  /** Optimised texture resolution: the longer side in texels. */
  resolution: numberField('resolution'),
  /** patch.png longer side in pixels. */
  exportSize: z.number().int().min(16).max(8192).default(1024),
  placement: PlacementSchema,
  steps: numberField('steps'),
  batch: numberField('batch'),
  seed: z.number().int().default(1),
  eot: EotSchema,
  optimiser: OptimiserSchema,
  weights: z.object({ nps: numberField('nps'), tv: numberField('tv'), disguise: z.number().min(0).default(0) }),
  /** Printable colours: a palette name ($PATCHLAB_HOME/palettes or built-in) or JSON path; NPS compares against it. */
  palette: z.string().default('default'),
  /** Render the patch through the palette's fitted printer colour model (identity until calibrated). */
  printerModel: z.boolean().default(true),
  /** An image the patch should stay close to (L2), e.g. a logo. */
  disguise: z.string().optional(),
  /** Starting texture: random, grey, or a solid colour #rrggbb (Sharif et al. start glasses from a solid colour). */
  init: z.string().regex(/^(random|gray|grey|#[0-9a-fA-F]{6})$/, 'random, gray or #rrggbb'),
  checkpointEvery: z.number().int().positive().default(10),
  /**
   * Detector hide loss: `max`, the largest class score in the heatmap (adversarial-yolo); or
   * `tiles`, the sum over 8x8-cell tiles of the heatmap of (tile max - threshold/2)+, which
   * pushes every object of the class down at once (group photos hold several per view); or
   * `topk`, the sum of the k strongest peaks of the class above half the threshold.
   */
  hideLoss: z.enum(HIDE_LOSSES).default('max'),
  /** hideLoss topk: the strongest k peaks of the class per view (3x3 local maxima above half the threshold) are pushed down. */
  hideTopK: z.number().int().min(1).max(100).default(3),
  /**
   * Face impersonation: the optimiser maximises cos(e, t) − awayFromWearer · cos(e, s) for the
   * view's descriptor e, the target's t and the wearer's own s. 0 only climbs towards the
   * target (what the match threshold judges); 1 weighs leaving the wearer as much (the target
   * must also be the better match of the two).
   */
  awayFromWearer: z.number().min(0).max(4).default(0.5),
  /**
   * Glasses: weight of a second model in the loss, the face detector (blazeface): per view
   * relu(2 − its best face logit), so the frames cannot win by hiding the face (a system only
   * compares faces it found). 0 leaves the detector out.
   */
  keepDetectable: numberField('keepDetectable').default(0),
  /**
   * Further models trained against at once (e.g. two detectors for a patch that transfers): each
   * sees the same rendered views resized to its input and adds its loss for the same goal and class.
   */
  ensemble: z.array(z.string().min(1)).default([]),
  /** Stop once the mean batch success over the last 10 steps reaches this rate. */
  earlyStop: z.number().min(0).max(1).optional(),
  /**
   * How a training view picks its scene: uniformly over `scenes`, or over `sources` first (a scene
   * set's photo or video; a plain file is its own source) and then a scene of it. By sources, one
   * long video of small pedestrians cannot fill most batches and crowd out the varied photos.
   */
  sampleBy: z.enum(SAMPLE_BY).default('scenes'),
  /** Passes over the training scenes: when given, steps = ceil(epochs · scenes / batch) instead of `steps`. */
  epochs: z.number().positive().optional(),
  /** Validation scenes (e.g. set:NAME:val): the patch is scored on them every `valEvery` steps and the best one kept. */
  valScenes: z.string().min(1).optional(),
  valEvery: z.number().int().positive().default(50),
  /** Stop after this many validation rounds without a better score. */
  valPatience: z.number().int().positive().default(4),
  /** Samples drawn in samples.png. */
  sampleCount: z.number().int().min(1).max(64).default(8),
});

export type PhysicalAttackConfig = z.infer<typeof PhysicalAttackSchema>;

/** What a caller may leave out: defaults depend on the attack kind. */
export type PhysicalAttackInput = Partial<Omit<PhysicalAttackConfig, 'eot' | 'optimiser' | 'weights'>> & {
  attack: AttackKind;
  model: string;
  scenes: string;
  eot?: EotInput;
  optimiser?: Partial<z.input<typeof OptimiserSchema>>;
  weights?: Partial<PhysicalAttackConfig['weights']>;
};

/** Fills defaults for the attack kind (and goal) and validates; errors name the field. */
export function resolveAttackConfig(input: PhysicalAttackInput): PhysicalAttackConfig {
  if (!PHYSICAL_ATTACKS_DECLARED[input.attack]) throw new UserError(`unknown attack '${String(input.attack)}' (use ${ATTACK_KINDS.join(', ')})`);
  const goal = input.goal ?? GOALS_OF[input.attack][0];
  const on = input.placement?.kind === 'detect' ? input.placement.on : undefined;
  const d = physicalDefaults(input.attack, goal, on);
  const merged = {
    goal,
    shape: parseShape(d.shape),
    size: d.size,
    resolution: d.resolution,
    placement: { kind: d.placement },
    steps: d.steps,
    batch: d.batch,
    init: d.init,
    hideLoss: d.hideLoss,
    sampleBy: d.sampleBy,
    keepDetectable: d.keepDetectable,
    ...definedOnly(input),
    eot: { ...d.eot, ...(input.eot ?? {}) },
    optimiser: { lr: d.lr, ...(input.optimiser ?? {}) },
    weights: { nps: d.nps, tv: d.tv, disguise: 0, ...definedOnly(input.weights ?? {}) },
  };
  const parsed = PhysicalAttackSchema.safeParse(merged);
  if (!parsed.success) {
    throw new UserError(`invalid attack config: ${firstIssue(parsed.error, 'config')}`);
  }
  const config = parsed.data;
  checkGoal(config);
  return config;
}

function checkGoal(c: PhysicalAttackConfig): void {
  const allowed = GOALS_OF;
  if (!allowed[c.attack].includes(c.goal)) throw new UserError(`--goal: '${c.goal}' does not apply to ${c.attack} attacks (use ${allowed[c.attack].join(' or ')})`);
  if ((c.goal === 'target' || c.goal === 'impersonate') && !c.target) throw new UserError(`--goal ${c.goal} needs --target`);
  if (c.goal === 'hide' && !c.class) throw new UserError(`--goal hide needs --class (e.g. --class person)`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
