import {
  ADVERSARIAL,
  ADVERSARIAL_DEFAULTS,
  DISTILL_TEMPERATURE,
  ROBUST_ATTACKS,
  ROBUST_DEFAULTS,
  TrainConfigObject,
  type AdversarialKind,
  type Architecture,
  type Augmentation,
  type EvalRobustJobParams,
  type EvalSplit,
  type RobustAttack,
  type TrainJobParams,
} from '../../../shared/training';

/**
 * The Train screen's forms. Every initial value is read from the declarations the CLI and the
 * engine validate with (src/shared/training.ts), so the app starts where `patchlab train` does.
 */
const TRAIN = TrainConfigObject.parse({});

export interface TrainForm {
  mode: 'train' | 'distill';
  arch: Architecture;
  data: string;
  epochs: number;
  batch: number;
  lr: number;
  augment: Augmentation;
  adversarial: AdversarialKind | 'none';
  eps: number;
  steps: number;
  alpha: number;
  beta: number;
  /** Softmax temperature of the loss (train: a distillation teacher; distill: teacher and student). */
  temperature: number;
  /** distill: the teacher run (or file). */
  teacher: string;
}

export function initialTrainForm(): TrainForm {
  return {
    mode: 'train',
    arch: 'cnn',
    data: TRAIN.data,
    epochs: TRAIN.epochs,
    batch: TRAIN.batch,
    lr: TRAIN.lr,
    augment: TRAIN.augment,
    adversarial: 'none',
    eps: ADVERSARIAL_DEFAULTS.eps,
    steps: ADVERSARIAL_DEFAULTS.steps,
    alpha: ADVERSARIAL_DEFAULTS.alpha,
    beta: ADVERSARIAL_DEFAULTS.beta,
    temperature: TRAIN.temperature,
    teacher: '',
  };
}

/** The distill command's temperature when the form switches to distillation with T still at 1. */
export function withMode(form: TrainForm, mode: TrainForm['mode']): TrainForm {
  const temperature = mode === 'distill' && form.temperature === TRAIN.temperature ? DISTILL_TEMPERATURE : mode === 'train' && form.temperature === DISTILL_TEMPERATURE ? TRAIN.temperature : form.temperature;
  return { ...form, mode, temperature };
}

/** The job request: only what differs from the declared defaults is sent, so the engine fills the rest. */
export function trainRequest(form: TrainForm): TrainJobParams {
  const config: TrainJobParams['config'] = { arch: form.arch };
  if (form.data !== TRAIN.data) config.data = form.data;
  if (form.epochs !== TRAIN.epochs) config.epochs = form.epochs;
  if (form.batch !== TRAIN.batch) config.batch = form.batch;
  if (form.lr !== TRAIN.lr) config.lr = form.lr;
  if (form.augment !== TRAIN.augment) config.augment = form.augment;
  if (form.temperature !== TRAIN.temperature) config.temperature = form.temperature;
  if (form.mode === 'distill') config.teacher = form.teacher;
  else if (form.adversarial !== 'none') {
    config.adversarial = { kind: form.adversarial, eps: form.eps, steps: form.steps, alpha: form.alpha, ...(form.adversarial === 'trades' ? { beta: form.beta } : {}) };
  }
  return { config };
}

export const ADVERSARIAL_CHOICES = ['none', ...ADVERSARIAL] as const;

export interface RobustForm {
  model: string;
  /** Held-out data of the model's classes: Fashion-MNIST or the folder it was trained on. */
  data: string;
  split: EvalSplit;
  count: number;
  eps: number;
  attacks: RobustAttack[];
  source: string;
}

/** A quick report by default in the app (the CLI's default count is for a full report). */
export const APP_ROBUST_COUNT = 200;

export function initialRobustForm(): RobustForm {
  return { model: '', data: ROBUST_DEFAULTS.data, split: ROBUST_DEFAULTS.split, count: APP_ROBUST_COUNT, eps: ROBUST_DEFAULTS.eps, attacks: ['clean', 'fgsm', 'pgd-20', 'cw-linf', 'square'], source: '' };
}

export function robustRequest(form: RobustForm): EvalRobustJobParams {
  return {
    model: form.model,
    ...(form.data !== ROBUST_DEFAULTS.data ? { data: form.data } : {}),
    split: form.split,
    count: form.count,
    eps: form.eps,
    attacks: ROBUST_ATTACKS.filter((a) => form.attacks.includes(a) && (a !== 'transfer' || form.source)),
    ...(form.source ? { source: form.source } : {}),
  };
}
