import { z } from 'zod';
import { Slug } from './bytes';

/**
 * Training runs and robustness reports, declared once: the engine validates with these
 * schemas, the CLI derives its flags and defaults from them, and the app's Train panel sends
 * the same objects through the contract (so the form's defaults are these defaults).
 */

/** Networks patchlab builds itself (28x28 grey in; the exported model takes RGB). */
export const ARCHITECTURES = ['cnn', 'resnet'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const ADVERSARIAL = ['pgd', 'fgsm-rs', 'trades'] as const;
export type AdversarialKind = (typeof ADVERSARIAL)[number];

/** Madry et al. use eps 0.3, 40 steps on MNIST; on Fashion-MNIST eps 0.1 with 7 steps of 0.025 is the usual setting. */
export const ADVERSARIAL_DEFAULTS = { eps: 0.1, steps: 7, alpha: 0.025, beta: 6 } as const;

export const OPTIMIZERS = ['sgd', 'adam', 'adamw'] as const;
export type OptimizerKind = (typeof OPTIMIZERS)[number];
export const SCHEDULES = ['constant', 'cosine', 'step'] as const;
export type Schedule = (typeof SCHEDULES)[number];
export const AUGMENTATIONS = ['none', 'light'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

/** The seeded validation split every training run holds out (and eval-robust --split val reads back). */
export const VAL_SPLIT = { count: 5000, seed: 1 } as const;

/** Everything a training run is: the CLI flags, run.json and the app's form derive from it. */
export const TrainConfigObject = z.object({
  arch: z.enum(ARCHITECTURES).optional(),
  /** Fine-tune a grey classifier exported by patchlab train (or any 1-channel ONNX classifier). */
  from: z.string().optional(),
  /** `fashion-mnist` or a folder DIR/class/*.png. */
  data: z.string().default('fashion-mnist'),
  epochs: z.number().positive().default(5),
  batch: z.number().int().positive().default(128),
  lr: z.number().positive().default(0.001),
  optimizer: z.enum(OPTIMIZERS).default('adam'),
  momentum: z.number().min(0).max(1).default(0.9),
  weightDecay: z.number().min(0).default(5e-4),
  schedule: z.enum(SCHEDULES).default('cosine'),
  augment: z.enum(AUGMENTATIONS).default('light'),
  /** Images held out of the training set for every choice (early stopping, settings). */
  val: z.number().int().min(0).default(VAL_SPLIT.count),
  seed: z.number().int().default(VAL_SPLIT.seed),
  threads: z.number().int().positive().default(2),
  /** Softmax temperature of the training loss (defensive distillation trains teacher and student at T). */
  temperature: z.number().positive().default(1),
  adversarial: z
    .object({
      kind: z.enum(ADVERSARIAL),
      eps: z.number().min(0).max(1).default(ADVERSARIAL_DEFAULTS.eps),
      steps: z.number().int().positive().default(ADVERSARIAL_DEFAULTS.steps),
      alpha: z.number().positive().default(ADVERSARIAL_DEFAULTS.alpha),
      beta: z.number().min(0).default(ADVERSARIAL_DEFAULTS.beta),
    })
    .optional(),
  /** Distillation: soft labels from this teacher (an exported .onnx) at `temperature`. */
  teacher: z.string().optional(),
  /** Steps between checkpoints (and metrics lines). */
  checkpointEvery: z.number().int().positive().default(100),
});

export const TrainConfigSchema = TrainConfigObject.refine((c) => (c.arch === undefined) !== (c.from === undefined), { message: 'give exactly one of --arch and --from' });

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/** `patchlab distill`'s temperature when none is given (Papernot et al. 2016 use T = 100 on MNIST). */
export const DISTILL_TEMPERATURE = 100;

/** The attacks of the robustness report: the CLI, the JSON, the table and the app derive from this list. */
export const ROBUST_ATTACKS = ['clean', 'fgsm', 'pgd-20', 'pgd-100', 'cw-linf', 'cw-l2', 'square', 'transfer'] as const;
export type RobustAttack = (typeof ROBUST_ATTACKS)[number];

export const EVAL_SPLITS = ['test', 'val'] as const;
export type EvalSplit = (typeof EVAL_SPLITS)[number];

/**
 * How Square draws a square's colour: `independent` per channel (the paper's RGB attack), or one
 * sign `shared` by all channels — on grey data the only change that moves the grey image by the
 * full eps (independent signs mostly cancel in 0.299 R + 0.587 G + 0.114 B).
 */
export const SQUARE_CHANNELS = ['shared', 'independent'] as const;
export type SquareChannels = (typeof SQUARE_CHANNELS)[number];

/** A robustness report's settings (`patchlab eval-robust`, the app's Train panel). */
export const RobustConfigSchema = z.object({
  model: z.string().min(1),
  /** `fashion-mnist` or a folder DIR/class/*.png. */
  data: z.string().default('fashion-mnist'),
  /** test: Fashion-MNIST's 10k test images (a folder: all of it); val: the seeded split training held out. */
  split: z.enum(EVAL_SPLITS).default('test'),
  /** Seed of the val split (as the training run's --seed). */
  valSeed: z.number().int().default(VAL_SPLIT.seed),
  eps: z.number().min(0).max(1).default(0.1),
  /** L2 budget for cw-l2 (RGB [0,1] units). */
  epsL2: z.number().positive().default(2),
  /** The first `count` images of the split (fixed, so every model sees the same ones). */
  count: z.number().int().positive().default(1000),
  attacks: z.array(z.enum(ROBUST_ATTACKS)).min(1).default([...ROBUST_ATTACKS]),
  /** Standard model the transfer attack crafts its images on. */
  source: z.string().optional(),
  restarts: z.number().int().positive().default(5),
  squareQueries: z.number().int().positive().default(5000),
  squarePInit: z.number().gt(0).max(1).default(0.05),
  squareChannels: z.enum(SQUARE_CHANNELS).default('shared'),
  cwSteps: z.number().int().positive().default(100),
  cwSearch: z.number().int().positive().default(5),
  /** Radii of the accuracy-vs-eps curve (FGSM and PGD-20). */
  sweep: z.array(z.number().min(0).max(1)).default([0, 0.05, 0.1, 0.15, 0.2]),
  chunk: z.number().int().positive().default(250),
  seed: z.number().int().min(0).default(0),
  threads: z.number().int().positive().optional(),
});
export type RobustConfig = z.infer<typeof RobustConfigSchema>;
export type RobustConfigInput = z.input<typeof RobustConfigSchema>;

/** The report's defaults, for help texts and forms. */
export const ROBUST_DEFAULTS: Omit<RobustConfig, 'model'> = (({ model: _model, ...rest }) => rest)(RobustConfigSchema.parse({ model: '-' }));

/**
 * The app's train job: the same config `patchlab train`/`distill` validate. `from` and `teacher`
 * may name a lab run (its model.onnx) as well as a file; the run it writes is `name` (or a fresh id).
 */
export const TrainJobParams = z.object({
  config: TrainConfigSchema,
  name: Slug.optional(),
});
export type TrainJobParams = z.input<typeof TrainJobParams>;

/** The app's robustness report: `model` is a lab run (its model.onnx), a zoo model or a file. */
export const EvalRobustJobParams = RobustConfigSchema;
export type EvalRobustJobParams = z.input<typeof EvalRobustJobParams>;

/** One row of a report as jobs return it. */
export const RobustRowSummary = z.object({ attack: z.enum(ROBUST_ATTACKS), eps: z.number().nullable(), accuracy: z.number(), count: z.number() });
export type RobustRowSummary = z.infer<typeof RobustRowSummary>;
