import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ADVERSARIAL } from '../../engine/train/adversarial';
import { ARCHITECTURES } from '../../engine/train/arch';
import type { TrainConfigInput } from '../../engine/train/config';
import { AUGMENTATIONS } from '../../engine/train/data';
import { OPTIMIZERS, SCHEDULES } from '../../engine/train/optimizer';
import { resumeTraining, train, type TrainProgress, type TrainResult } from '../../engine/train/trainer';
import { printJson, println } from '../output';
import { parseChoice, parseNonNegativeInt, parseNumber, parsePositiveInt } from '../parse';

export interface TrainFlags {
  arch?: string;
  from?: string;
  data?: string;
  epochs?: string;
  batch?: string;
  lr?: string;
  optimizer?: string;
  momentum?: string;
  weightDecay?: string;
  schedule?: string;
  augment?: string;
  val?: string;
  seed?: string;
  threads?: string;
  temperature?: string;
  adversarial?: string;
  eps?: string;
  steps?: string;
  alpha?: string;
  beta?: string;
  checkpointEvery?: string;
  out?: string;
  resume?: string;
  json?: boolean;
}

/** The options `train` and `distill` share, added to a command. */
export function trainingOptions(cmd: Command): Command {
  return cmd
    .option('--data <fashion-mnist|DIR>', 'training data: Fashion-MNIST (Debian dataset-fashion-mnist) or a folder DIR/class/*.png', 'fashion-mnist')
    .option('--epochs <n>', 'passes over the training split (fractions allowed)')
    .option('--batch <n>', 'images per step')
    .option('--lr <x>', 'base learning rate')
    .option('--optimizer <name>', OPTIMIZERS.join('|'))
    .option('--momentum <x>', 'sgd momentum')
    .option('--weight-decay <x>', 'L2 (sgd, adam) or decoupled (adamw) decay of conv/linear weights')
    .option('--schedule <name>', SCHEDULES.join('|'))
    .option('--augment <name>', AUGMENTATIONS.join('|'))
    .option('--val <n>', 'training images held out as the validation split')
    .option('--seed <n>', 'seed of initial weights, split, shuffling and augmentation')
    .option('--threads <n>', 'onnxruntime threads')
    .option('--checkpoint-every <n>', 'steps between checkpoints and metrics lines')
    .option('--out <dir>', 'run folder (new or empty)')
    .option('--resume <dir>', 'continue the run in this folder from its last checkpoint')
    .option('--json', 'print the result as JSON');
}

/** Flags -> the config the engine validates (absent flags take the declared defaults). */
export function configFromFlags(f: TrainFlags): TrainConfigInput {
  const c: TrainConfigInput = {};
  if (f.arch) c.arch = parseChoice('--arch', f.arch, ARCHITECTURES);
  if (f.from) c.from = f.from;
  if (f.data) c.data = f.data;
  if (f.epochs) c.epochs = parseNumber('--epochs', f.epochs);
  if (f.batch) c.batch = parsePositiveInt('--batch', f.batch);
  if (f.lr) c.lr = parseNumber('--lr', f.lr);
  if (f.optimizer) c.optimizer = parseChoice('--optimizer', f.optimizer, OPTIMIZERS);
  if (f.momentum) c.momentum = parseNumber('--momentum', f.momentum);
  if (f.weightDecay) c.weightDecay = parseNumber('--weight-decay', f.weightDecay);
  if (f.schedule) c.schedule = parseChoice('--schedule', f.schedule, SCHEDULES);
  if (f.augment) c.augment = parseChoice('--augment', f.augment, AUGMENTATIONS);
  if (f.val) c.val = parseNonNegativeInt('--val', f.val);
  if (f.seed) c.seed = parseNonNegativeInt('--seed', f.seed);
  if (f.threads) c.threads = parsePositiveInt('--threads', f.threads);
  if (f.temperature) c.temperature = parseNumber('--temperature', f.temperature);
  if (f.checkpointEvery) c.checkpointEvery = parsePositiveInt('--checkpoint-every', f.checkpointEvery);
  if (f.adversarial) {
    c.adversarial = {
      kind: parseChoice('--adversarial', f.adversarial, ADVERSARIAL),
      ...(f.eps ? { eps: parseNumber('--eps', f.eps) } : {}),
      ...(f.steps ? { steps: parsePositiveInt('--steps', f.steps) } : {}),
      ...(f.alpha ? { alpha: parseNumber('--alpha', f.alpha) } : {}),
      ...(f.beta ? { beta: parseNumber('--beta', f.beta) } : {}),
    };
  }
  return c;
}

/** A cli-progress bar on stderr: step, epoch, loss, val accuracy, ETA. */
export function trainProgressBar(): { update: (p: TrainProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      format: 'epoch {epoch}/{epochs} |{bar}| step {value}/{total} | loss {loss} | val {val} | ETA {eta_formatted}',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 30_000,
      hideCursor: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { epoch: p.epoch, epochs: p.epochs, loss: p.loss.toFixed(4), val: p.valAccuracy === undefined ? '-' : `${(p.valAccuracy * 100).toFixed(1)}%` };
      if (!started) {
        bar.start(p.totalSteps, p.step, payload);
        started = true;
      } else bar.update(p.step, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export async function runTrainCommand(flags: TrainFlags, config: TrainConfigInput): Promise<void> {
  const bar = trainProgressBar();
  let result: TrainResult;
  try {
    result = flags.resume ? await resumeTraining(flags.resume, bar.update) : await train(config, flags.out ?? `runs/train-${Date.now()}`, bar.update);
  } finally {
    bar.stop();
  }
  if (flags.json) return printJson(result);
  println(`run:      ${result.dir}`);
  println(`model:    ${result.model} (manifest.json beside it)`);
  if (result.valAccuracy !== undefined) println(`val:      ${(result.valAccuracy * 100).toFixed(2)}% top-1 on the held-out validation split`);
  println(`speed:    ${result.msPerStep.toFixed(0)} ms/step`);
  println(`next:     patchlab eval-robust ${result.model} --data fashion-mnist`);
}

export function registerTrain(program: Command): void {
  trainingOptions(
    program
      .command('train')
      .description('train or fine-tune a classifier in onnxruntime (standard, or adversarial: PGD, fast FGSM, TRADES)')
      .option('--arch <name>', `a network built by patchlab: ${ARCHITECTURES.join('|')} (28x28 grey)`)
      .option('--from <model.onnx>', 'fine-tune this grey classifier (e.g. one patchlab train exported)')
      .option('--temperature <T>', 'softmax temperature of the loss (a distillation teacher is trained at T)')
      .option('--adversarial <kind>', `adversarial training: ${ADVERSARIAL.join('|')}`)
      .option('--eps <x>', 'L-infinity radius in [0,1] pixel units')
      .option('--steps <n>', 'attack steps per batch (pgd, trades)')
      .option('--alpha <x>', 'attack step size')
      .option('--beta <x>', 'TRADES weight of the KL term'),
  ).action(async (flags: TrainFlags) => {
    await runTrainCommand(flags, configFromFlags(flags));
  });
}
