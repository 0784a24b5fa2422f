import { z } from 'zod';
import { FileName, Slug } from './bytes';
import { IMAGE_ATTACK_NAMES } from './digital-attacks';

/** The digital attacks the lab runs on images (the CLI's `patchlab attack <name>`): the declared image attacks, transfer and universal. */
export const DIGITAL_ATTACKS = [...IMAGE_ATTACK_NAMES, 'transfer', 'universal'] as const;
export type DigitalAttackName = (typeof DIGITAL_ATTACKS)[number];

/** White-box attacks a transfer attack may run on its surrogate. */
export const TRANSFER_VIA = ['fgsm', 'bim', 'pgd', 'mifgsm'] as const;

/** One defence, as `--defence` names it; applied in the order given. */
export const DigitalDefence = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('random-resize'), minScale: z.number().gt(0).max(1).default(0.9) }),
  z.object({ kind: z.literal('jpeg'), quality: z.number().int().min(1).max(100).default(75) }),
  z.object({ kind: z.literal('bit-depth'), bits: z.number().int().min(1).max(8).default(4) }),
  z.object({ kind: z.literal('median'), size: z.number().int().min(2).max(15).default(3) }),
  /** The attacked model plus these, voting. */
  z.object({ kind: z.literal('ensemble'), models: z.array(z.string().min(1)).min(1).max(8), vote: z.enum(['soft', 'majority']).default('soft') }),
  /** A detector: flags inputs whose predictions vary across randomised passes. */
  z.object({ kind: z.literal('consistency'), passes: z.number().int().min(2).max(1000).default(10) }),
]);
export type DigitalDefence = z.input<typeof DigitalDefence>;

const positiveInt = (max: number) => z.number().int().min(1).max(max);

/** Every knob of the image attacks in the engine's units (budgets in pixel units, [0,1]); each attack reads its own. */
export const DigitalSettings = z.object({
  eps: z.number().positive().max(1000),
  norm: z.enum(['linf', 'l2']),
  steps: positiveInt(100_000),
  /** BIM/PGD step size; left out, 2.5 * eps / steps. */
  stepSize: z.number().positive().max(1000).optional(),
  randomStart: z.boolean(),
  mu: z.number().min(0).max(10),
  theta: z.number().min(-1).max(1).refine((v) => v !== 0, 'must not be 0'),
  maxFraction: z.number().gt(0).max(1),
  candidates: positiveInt(1_000_000),
  overshoot: z.number().min(0).max(10),
  maxIter: positiveInt(100_000),
  kappa: z.number().min(0).max(1000),
  searchSteps: positiveInt(100),
  learningRate: z.number().positive().max(10),
  initialConst: z.number().positive().max(1e6),
  queries: positiveInt(10_000_000),
  pInit: z.number().gt(0).max(1),
  initEvals: positiveInt(100_000),
  maxEvals: positiveInt(100_000),
  gamma: z.number().positive().max(1000),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
});
export type DigitalSettings = z.infer<typeof DigitalSettings>;

/** The attacks' shared defaults (per-attack ones, such as C&W's 100 steps, are applied by the engine's resolveAttackSettings). */
export const DEFAULT_DIGITAL_SETTINGS: DigitalSettings = {
  eps: 8 / 255,
  norm: 'linf',
  steps: 20,
  randomStart: true,
  mu: 1,
  theta: 1,
  maxFraction: 0.1,
  candidates: 10,
  overshoot: 0.02,
  maxIter: 50,
  kappa: 0,
  searchSteps: 6,
  learningRate: 0.01,
  initialConst: 0.1,
  queries: 1000,
  pInit: 0.05,
  initEvals: 100,
  maxEvals: 1000,
  gamma: 1,
  seed: 0,
};

/** An image of a scene set (the shipped samples, uploads, webcam captures). */
export const SceneImage = z.object({ set: Slug, image: FileName });

export const DigitalAttackParams = z
  .object({
    model: z.string().min(1),
    attack: z.enum(DIGITAL_ATTACKS),
    images: z.array(SceneImage).min(1).max(200),
    /** Targeted attack: a class label or index of the model (of the surrogate, for transfer). */
    target: z.string().trim().min(1).max(200).optional(),
    /** Left out, a setting takes the attack's default (see digitalDefaults). */
    settings: DigitalSettings.partial().default({}),
    /** Transfer: the model the examples are crafted on; `model` only judges them. */
    surrogate: z.string().min(1).optional(),
    via: z.enum(TRANSFER_VIA).default('mifgsm'),
    /** Universal: how the one perturbation is computed, and on which images it is judged. */
    universal: z
      .object({
        /** sgd: sign-gradient ascent on the set's mean loss; deepfool: Moosavi-Dezfooli's passes. */
        method: z.enum(['sgd', 'deepfool']).default('sgd'),
        /** Fraction of `images` computed on when `heldOut` is not given; the rest is held out. */
        split: z.number().gt(0).lt(1).default(0.5),
        /** Also compute on the mirror image of each training image. */
        mirror: z.boolean().default(false),
        /** deepfool: stop once this fraction of the training images is fooled. */
        foolingRate: z.number().gt(0).max(1).optional(),
        maxPasses: positiveInt(1000).optional(),
      })
      .default({ method: 'sgd', split: 0.5, mirror: false }),
    /** Universal: images judged only, never computed on (instead of a split of `images`). */
    heldOut: z.array(SceneImage).min(1).max(200).optional(),
    defences: z.array(DigitalDefence).max(8).default([]),
    /** Draws of the defence's randomness averaged per gradient (EOT). */
    eot: positiveInt(1000).default(1),
    /** Straight-through gradients through non-differentiable defences. */
    bpda: z.boolean().default(true),
    /** Craft against the undefended model; the defence only judges (the non-adaptive baseline). */
    oblivious: z.boolean().default(false),
    /** Draws of a randomised defence each written image is judged on. */
    judgeDraws: positiveInt(1000).default(10),
    batch: positiveInt(64).default(8),
  })
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (p.attack === 'transfer' && !p.surrogate) issue('surrogate', 'a transfer attack needs a surrogate model to craft on');
    if (p.attack !== 'transfer' && p.surrogate) issue('surrogate', 'only a transfer attack uses a surrogate');
    if (p.attack === 'universal' && p.target) issue('target', 'the universal perturbation is untargeted');
    if (p.attack === 'universal' && !p.heldOut && p.images.length < 2) issue('images', 'a universal attack needs at least two images (some to compute on, some held out)');
    if (p.attack !== 'universal' && p.heldOut) issue('heldOut', 'only a universal attack holds images out');
    if (p.attack === 'transfer' && p.defences.length > 0) issue('defences', 'transfer does not take defences; attack the defended model directly');
    if ((p.settings.norm ?? 'linf') === 'linf' && p.settings.eps !== undefined && p.settings.eps > 1) issue('settings', 'eps: an L-inf budget is at most 1 (255/255)');
    if (p.settings.initEvals !== undefined && p.settings.maxEvals !== undefined && p.settings.initEvals > p.settings.maxEvals) issue('settings', 'initEvals: more than maxEvals');
    if (p.defences.length === 0 && p.eot > 1) issue('eot', 'EOT needs a defence with randomness to average over');
    if (p.defences.length === 0 && p.oblivious) issue('oblivious', 'needs a defence to be oblivious of');
    if (p.oblivious && p.eot > 1) issue('eot', 'an oblivious attacker does not see the defence, so it cannot average over it');
    for (const kind of ['ensemble', 'consistency'] as const) {
      if (p.defences.filter((d) => d.kind === kind).length > 1) issue('defences', `'${kind}' may appear only once`);
    }
  });
export type DigitalAttackParams = z.input<typeof DigitalAttackParams>;

// results.json as `patchlab attack` writes it. JSON has no NaN: an empty statistic is null.
const MaybeNumber = z.number().nullable();
const Stat = z.object({ mean: MaybeNumber, median: MaybeNumber });
const Prediction = z.object({ index: z.number(), label: z.string(), prob: z.number() });
const Norms = z.object({ l0: z.number(), l0Pixels: z.number(), l2: z.number(), linf: z.number() });

export const DigitalImageResult = z.object({
  /** The input image's file name. */
  image: z.string(),
  /** Universal: the run's subfolder the image's files are in (training or held-out images). */
  folder: z.enum(['train', 'heldout']).optional(),
  /** Where the input came from, when it is an image of a scene set (to show the clean image). */
  source: SceneImage.optional(),
  width: z.number(),
  height: z.number(),
  /** Files of the run folder (readArtifact): the adversarial PNG, the perturbation x10, the panel. */
  files: z.object({ adversarial: FileName.optional(), perturbation: FileName.optional(), panel: FileName.optional() }),
  original: Prediction,
  adversarial: Prediction.optional(),
  success: z.boolean(),
  skipped: z.string().optional(),
  defended: z.object({ cleanAccuracy: z.number(), success: z.number(), cleanFlagged: z.boolean().optional(), flagged: z.boolean().optional() }).optional(),
  surrogate: z.object({ original: Prediction, adversarial: Prediction, success: z.boolean() }).optional(),
  norms: Norms.optional(),
  modelNorms: Norms.optional(),
  queries: z.number(),
  scale: z.number().optional(),
  seconds: z.number(),
});
export type DigitalImageResult = z.infer<typeof DigitalImageResult>;

export const DigitalSummary = z.object({
  attack: z.string(),
  model: z.string(),
  transferTo: z.string().optional(),
  defence: z.string().optional(),
  images: z.number(),
  attacked: z.number(),
  successRate: MaybeNumber,
  l0: Stat,
  l2: Stat,
  linf: Stat,
  modelL2: Stat,
  queries: Stat,
  seconds: z.object({ total: z.number(), perImage: z.number() }),
  defended: z
    .object({ cleanAccuracy: MaybeNumber, successRate: MaybeNumber, undefendedSuccessRate: MaybeNumber, detectorFlaggedClean: MaybeNumber.optional(), detectorFlaggedAdversarial: MaybeNumber.optional() })
    .optional(),
  surrogateSuccessRate: MaybeNumber.optional(),
});
export type DigitalSummary = z.infer<typeof DigitalSummary>;

/** A universal run: the one perturbation and how it fools the training and the held-out images. */
export const UniversalOutcome = z.object({
  method: z.enum(['sgd', 'deepfool']),
  eps: z.number(),
  norm: z.string(),
  passes: z.number(),
  passRates: z.array(MaybeNumber),
  trainFoolingRate: MaybeNumber,
  heldOutFoolingRate: MaybeNumber,
  computedOn: z.number(),
  queries: z.number(),
  seconds: z.number(),
  /** The held-out images' summary (`summary` is the training images'). */
  heldOut: DigitalSummary,
  /** The perturbation x10 around mid-grey (a file of the run). */
  perturbation: FileName,
});
export type UniversalOutcome = z.infer<typeof UniversalOutcome>;

export const DigitalResults = z.object({ run: Slug, summary: DigitalSummary, results: z.array(DigitalImageResult), universal: UniversalOutcome.optional() });
export type DigitalResults = z.infer<typeof DigitalResults>;
