import { z } from 'zod';
import { firstIssue } from '../../shared/zod-issue';
import { UserError } from '../errors';
import { ADVERSARIAL, ADVERSARIAL_DEFAULTS } from './adversarial';
import { ARCHITECTURES } from './arch';
import { AUGMENTATIONS } from './data';
import { OPTIMIZERS, SCHEDULES } from './optimizer';

/** Everything a training run is, declared once: the CLI flags and run.json derive from it. */
export const TrainConfigSchema = z
  .object({
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
    val: z.number().int().min(0).default(5000),
    seed: z.number().int().default(1),
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
  })
  .refine((c) => (c.arch === undefined) !== (c.from === undefined), { message: 'give exactly one of --arch and --from' });

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

export function parseTrainConfig(value: unknown): TrainConfig {
  const result = TrainConfigSchema.safeParse(value);
  if (!result.success) throw new UserError(`training: ${firstIssue(result.error, 'config')}`);
  return result.data;
}
