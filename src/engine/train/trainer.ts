import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rng } from '../random';
import { UserError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import { appendMetricsLine, readRunRecord, RUN_METRICS, RUN_RECORD, writeRunRecord } from '../runs/record';
import type { Model } from '../onnx/ir';
import { writeModel } from '../onnx/write';
import type { FloatTensor } from '../tensor/tensor';
import { concatBatches, pairTargets, perturbBatch, tradesBatch } from './adversarial';
import { readTrainCheckpoint, writeTrainCheckpoint, type TrainCheckpoint } from './checkpoint';
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from './config';
import { epochOrder, loadFashionMnist, loadImageFolder, makeBatch, oneHot, splitTrainVal, type Dataset } from './data';
import { accuracy, inferenceModel } from './export';
import { learningCurve } from './curve';
import { emptyState, learningRate, optimizerStep } from './optimizer';
import { parametersOf, updateRunning, type Parameters } from './parameters';
import { sourceNetwork } from './source';
import { teacherTargets } from './teacher';
import { TrainingGraph, type Objective } from './training-graph';

export const TRAIN_FILES = {
  run: RUN_RECORD,
  checkpoint: 'checkpoint.bin',
  metrics: RUN_METRICS,
  model: 'model.onnx',
  manifest: 'manifest.json',
  curve: 'curve',
} as const;

/** One line of metrics.jsonl: a stretch of training steps, or (with valAccuracy) the end of an epoch. */
export interface TrainMetrics {
  epoch: number;
  step: number;
  lr: number;
  loss: number;
  trainAccuracy: number;
  valAccuracy?: number;
  ms: number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  step: number;
  totalSteps: number;
  loss: number;
  /** Top-1 accuracy on this step's training batch. */
  trainAccuracy: number;
  valAccuracy?: number;
}

/** How a caller steers a run: progress out, and a signal that stops it (checkpointed, resumable). */
export interface TrainControl {
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
}

export interface TrainResult {
  dir: string;
  model: string;
  valAccuracy?: number;
  epochs: number;
  elapsedMs: number;
  msPerStep: number;
}

const BN_MOMENTUM = 0.1;

/** Data for a config: Fashion-MNIST's 60k training images or a folder, with the val split carved out. */
export async function trainingData(config: TrainConfig): Promise<{ data: Dataset; train: Uint32Array; val: Uint32Array }> {
  const data = config.data === 'fashion-mnist' ? loadFashionMnist('train') : await loadImageFolder(config.data, 28);
  const valCount = Math.min(config.val, Math.floor(data.count / 5));
  const { train, val } = splitTrainVal(data.count, valCount, config.seed);
  return { data, train, val };
}

/** Starts a training run in `dir` (absent or empty). */
export async function train(input: TrainConfigInput, dir: string, control: TrainControl['onProgress'] | TrainControl = {}): Promise<TrainResult> {
  const config = parseTrainConfig(input);
  const abs = resolve(dir);
  if (existsSync(abs) && readdirSync(abs).length > 0) {
    throw new UserError(existsSync(join(abs, TRAIN_FILES.run)) ? `${dir}: already holds a training run (use --resume ${dir})` : `${dir}: folder is not empty`);
  }
  mkdirSync(abs, { recursive: true });
  writeRunRecord(abs, { kind: 'train', created: new Date().toISOString(), status: 'running', config });
  return runTraining(config, abs, undefined, asControl(control));
}

/** Continues the run in `dir` from its last checkpoint. */
export async function resumeTraining(dir: string, control: TrainControl['onProgress'] | TrainControl = {}): Promise<TrainResult> {
  const abs = resolve(dir);
  const record = existsSync(abs) ? readRunRecord(abs) : undefined;
  if (record?.kind !== 'train') throw new UserError(`${dir}: not a training run (no ${TRAIN_FILES.run})`);
  const config = parseTrainConfig(record.config);
  return runTraining(config, abs, readTrainCheckpoint(join(abs, TRAIN_FILES.checkpoint)), asControl(control));
}

function asControl(control: TrainControl['onProgress'] | TrainControl): TrainControl {
  return typeof control === 'function' ? { onProgress: control } : (control ?? {});
}

async function runTraining(config: TrainConfig, dir: string, resume: TrainCheckpoint | undefined, { onProgress, signal }: TrainControl): Promise<TrainResult> {
  const { data, train: trainIdx, val } = await trainingData(config);
  const classes = data.labelNames.length;
  const core = sourceNetwork({ arch: config.arch, from: config.from, classes, size: data.size, seed: config.seed });
  const params = parametersOf(core, classes);
  const optimizer = resume?.optimizer ?? emptyState();
  if (resume) for (const [name, v] of resume.values) params.values.get(name)?.set(v);

  const soft = config.teacher ? await teacherTargets(config.teacher, data, config.temperature, config.threads) : undefined;
  const adv = config.adversarial;
  const trades = adv?.kind === 'trades';
  const objective: Objective = trades ? { kind: 'trades', beta: adv.beta } : { kind: 'soft-ce', temperature: config.temperature };
  const step = await TrainingGraph.create(core, params, { batch: trades ? 2 * config.batch : config.batch, objective, weightGradients: true, threads: config.threads });
  const attack = adv ? await TrainingGraph.create(core, params, { batch: trades ? 2 * config.batch : config.batch, objective, weightGradients: false, threads: config.threads }) : undefined;

  const settings = { kind: config.optimizer, momentum: config.momentum, beta1: 0.9, beta2: 0.999, weightDecay: config.weightDecay };
  const batches = Math.floor(trainIdx.length / config.batch);
  if (batches === 0) throw new UserError(`${config.data}: ${trainIdx.length} training images, fewer than one batch of ${config.batch}`);
  const epochs = Math.ceil(config.epochs);
  const totalSteps = Math.round(config.epochs * batches);
  let stepNo = resume?.step ?? 0;
  let elapsedMs = resume?.elapsedMs ?? 0;
  let valAccuracy: number | undefined;
  const metricsFile = join(dir, TRAIN_FILES.metrics);
  let window = { loss: 0, correct: 0, seen: 0, steps: 0, start: Date.now() };
  const save = (epoch: number, batch: number) =>
    writeTrainCheckpoint(join(dir, TRAIN_FILES.checkpoint), { epoch, batch, step: stepNo, elapsedMs, values: params.values, optimizer });

  try {
    for (let epoch = resume?.epoch ?? 0; epoch < epochs && stepNo < totalSteps; epoch++) {
      const order = epochOrder(trainIdx, config.seed, epoch);
      const first = resume && epoch === resume.epoch ? resume.batch : 0;
      for (let b = first; b < batches && stepNo < totalSteps; b++) {
        if (signal?.aborted) {
          // Stopped: keep the place, so `--resume` (or the app's resume) carries on from here.
          save(epoch, b);
          throw new UserError(`training stopped at step ${stepNo} of ${totalSteps}; resume with --resume ${dir}`);
        }
        const started = Date.now();
        const idx = order.subarray(b * config.batch, (b + 1) * config.batch);
        const rng = new Rng(((config.seed * 7919 + epoch) * 100003 + b) >>> 0);
        let images = makeBatch(data, idx, config.augment, rng);
        let targets = soft ? soft.targets(idx) : oneHot(data, idx, classes);
        if (adv && attack) {
          if (trades) {
            const x = await tradesBatch(adv, attack, params, images, targets, rng);
            images = concatBatches(images, x);
            targets = pairTargets(targets);
          } else {
            images = await perturbBatch(adv, attack, params, images, targets, rng);
          }
        }
        const lr = learningRate(config.schedule, config.lr, stepNo, totalSteps);
        const out = await step.run(images, targets, params);
        if (!Number.isFinite(out.loss)) throw new UserError(`training diverged at epoch ${epoch + 1}, step ${stepNo} (loss ${out.loss}); lower --lr`);
        optimizerStep(settings, optimizer, params.values, out.grads, params.dims, lr);
        updateRunning(params, out.stats, BN_MOMENTUM);
        stepNo++;
        elapsedMs += Date.now() - started;
        window.loss += out.loss;
        const batchCorrect = correctOf(out.logits, idx, data, classes);
        window.correct += batchCorrect;
        window.seen += idx.length;
        window.steps++;
        const endOfEpoch = b === batches - 1 || stepNo === totalSteps;
        if (stepNo % config.checkpointEvery === 0 || endOfEpoch) {
          const line: TrainMetrics = { epoch: epoch + 1, step: stepNo, lr, loss: window.loss / window.steps, trainAccuracy: window.correct / window.seen, ms: (Date.now() - window.start) / window.steps };
          if (endOfEpoch && val.length > 0) line.valAccuracy = valAccuracy = await accuracy(core, params, data, val, config.threads);
          appendMetricsLine(metricsFile, line);
          window = { loss: 0, correct: 0, seen: 0, steps: 0, start: Date.now() };
          if (endOfEpoch) {
            await exportModel(core, params, data, dir, config);
            save(epoch + 1, 0);
            await learningCurve(metricsFile, join(dir, TRAIN_FILES.curve));
          } else {
            save(epoch, b + 1);
          }
        }
        onProgress?.({ epoch: epoch + 1, epochs, batch: b + 1, batches, step: stepNo, totalSteps, loss: out.loss, trainAccuracy: batchCorrect / idx.length, valAccuracy });
      }
    }
  } finally {
    await step.release();
    await attack?.release();
  }
  const record = readRunRecord(dir);
  if (record?.kind === 'train') writeRunRecord(dir, { ...record, status: 'done', steps: { done: stepNo, total: totalSteps }, summary: { valAccuracy } });
  return { dir, model: join(dir, TRAIN_FILES.model), valAccuracy, epochs: config.epochs, elapsedMs, msPerStep: elapsedMs / Math.max(1, stepNo - (resume?.step ?? 0)) };
}

function correctOf(logits: FloatTensor, idx: Uint32Array, data: Dataset, classes: number): number {
  let correct = 0;
  // Trades batches hold clean rows first: count those.
  for (let b = 0; b < idx.length; b++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (logits.data[b * classes + j] > logits.data[b * classes + best]) best = j;
    if (best === data.labels[idx[b]]) correct++;
  }
  return correct;
}

/** model.onnx (BatchNorm folded, RGB input) and manifest.json, written atomically after every epoch. */
async function exportModel(core: Model, params: Parameters, data: Dataset, dir: string, config: TrainConfig): Promise<void> {
  writeFileAtomic(join(dir, TRAIN_FILES.model), writeModel(inferenceModel(core, params, data.size)));
  const manifest = {
    name: config.arch ? `${config.arch}-${config.adversarial?.kind ?? (config.teacher ? 'distilled' : 'standard')}` : 'finetuned',
    task: 'classification',
    description: `Trained by patchlab train on ${data.name}: grey ${data.size}x${data.size} network; takes RGB in [0,1] and converts to grey inside the graph.`,
    origin: `patchlab train ${JSON.stringify(config)}`,
    source: { kind: 'onnx', file: TRAIN_FILES.model },
    input: { layout: 'NCHW', width: data.size, height: data.size, range: [0, 1] },
    labels: data.labelNames,
    head: { kind: 'classifier', output: 'logits', activation: 'logits' },
  };
  writeFileAtomic(join(dir, TRAIN_FILES.manifest), JSON.stringify(manifest, null, 2) + '\n');
}
