import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { DefenceSetup } from '../../defences/build';
import { writeFileAtomic } from '../../fs/atomic';
import { writeRunRecord } from '../../runs/record';
import { decodeImage, encodeImage } from '../../image/image';
import { resizeImage } from '../../image/resize';
import type { LoadedModel } from '../../models/loaded';
import { encodeNpy } from '../../tensor/npy';
import type { ClassifierOracle } from '../../classifier/classifier';
import { PipelineOperator } from './pipeline-operator';
import { withRunLock } from '../../runs/lock';
import { cleanBatch, digitalConfig, loadImages, runImages, throughPipeline, type ImageResult, type RunSummary } from './run-images';
import { perturbed, universalPerturbation, universalSgd, type UniversalOptions, type UniversalSgdOptions } from './universal';

export interface UniversalRunOptions {
  model: LoadedModel;
  classifier: ClassifierOracle;
  defences?: DefenceSetup;
  /** Images the perturbation is computed on. */
  train: readonly string[];
  /** Images it is evaluated on, never seen while computing it. */
  heldOut: readonly string[];
  /** Also compute on the mirror image of every training image (a small set generalises better). */
  mirror?: boolean;
  out: string;
  /** Moosavi-Dezfooli's DeepFool passes, or sign-gradient ascent on the set's mean loss. */
  settings: ({ method: 'deepfool' } & UniversalOptions) | ({ method: 'sgd' } & UniversalSgdOptions);
  batch: number;
  judgeDraws: number;
  /** After each training, then each held-out image is written and judged (`total` counts both). */
  onProgress?: (done: number, total: number, result: ImageResult) => void;
}

export interface UniversalSummary {
  attack: 'universal';
  method: 'deepfool' | 'sgd';
  model: string;
  defence?: string;
  eps: number;
  norm: string;
  passes: number;
  /** Fooling rate on the training images after each pass (deepfool) or step (sgd), as the optimisation saw it. */
  passRates: number[];
  /** Fooling rates of the written 8-bit images, judged by predict. */
  trainFoolingRate: number;
  heldOutFoolingRate: number;
  /** Images the perturbation was computed on (mirror images included). */
  computedOn: number;
  train: RunSummary;
  heldOut: RunSummary;
  queries: number;
  seconds: number;
}

/**
 * Computes one universal perturbation on the training images (each seen through its own
 * resize round trip), writes it (`universal.npy` at model resolution, `universal.png` x10 for
 * display), then applies it to every training and held-out image and judges the written
 * PNGs with predict: the held-out fooling rate is the number that matters.
 */
export async function runUniversal(options: UniversalRunOptions): Promise<{ summary: UniversalSummary; train: ImageResult[]; heldOut: ImageResult[] }> {
  // One writer per --out folder (train/ and heldout/ below take their own locks).
  return withRunLock(options.out, () => universal(options));
}

async function universal(options: UniversalRunOptions): Promise<{ summary: UniversalSummary; train: ImageResult[]; heldOut: ImageResult[] }> {
  const started = Date.now();
  const { model } = options;
  const training = options.mirror ? [...options.train, ...(await mirrored(options.train, join(options.out, 'train-mirrored')))] : options.train;
  const loaded = await loadImages(model, training);
  const attacked = options.defences?.attacked ?? options.classifier;
  const classifiers: ClassifierOracle[] = [];
  for (const item of loaded) {
    const operator = await PipelineOperator.measure(item.original.width, item.original.height, model, 'bilinear');
    classifiers.push(throughPipeline(attacked, operator, item));
  }
  const settings = options.settings;
  const result = settings.method === 'sgd' ? await universalSgd(classifiers, cleanBatch(loaded), settings) : await universalPerturbation(classifiers, cleanBatch(loaded), settings);
  const v = result.perturbation;
  writeFileAtomic(join(options.out, 'universal.npy'), encodeNpy(v));
  writeFileAtomic(join(options.out, 'universal.png'), await visualise(v.data, model.width, model.height));
  const apply = {
    name: 'universal',
    run: async (input: { x0: typeof v }) => ({ adversarial: perturbed(input.x0, v.data), queries: new Array(input.x0.dims[0]).fill(0) }),
    linfBudget: options.settings.norm === 'linf' ? options.settings.eps : undefined,
    minimumNorm: false,
    upsample: 'bilinear' as const,
  };
  const common = { model, classifier: options.classifier, defences: options.defences, attack: apply, batch: options.batch, judgeDraws: options.judgeDraws };
  const total = options.train.length + options.heldOut.length;
  const report = (offset: number) => options.onProgress && ((done: number, _: number, r: ImageResult) => options.onProgress?.(offset + done, total, r));
  const train = await runImages({ ...common, images: options.train, out: join(options.out, 'train'), onProgress: report(0) });
  const heldOut = await runImages({ ...common, images: options.heldOut, out: join(options.out, 'heldout'), onProgress: report(options.train.length) });
  const summary: UniversalSummary = {
    attack: 'universal',
    method: settings.method,
    model: model.name,
    defence: options.defences?.description,
    eps: options.settings.eps,
    norm: options.settings.norm,
    passes: result.rates.length,
    passRates: result.rates,
    trainFoolingRate: train.summary.successRate,
    computedOn: training.length,
    heldOutFoolingRate: heldOut.summary.successRate,
    train: train.summary,
    heldOut: heldOut.summary,
    queries: result.queries,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileAtomic(join(options.out, 'results.json'), JSON.stringify({ summary, train: train.results, heldOut: heldOut.results }, null, 2) + '\n');
  writeRunRecord(options.out, {
    kind: 'digital/universal',
    created: new Date(started).toISOString(),
    status: 'done',
    config: { ...digitalConfig({ ...options, attack: { name: 'universal', settings: { ...settings } } }), train: [...options.train], heldOut: [...options.heldOut], mirror: options.mirror === true },
    steps: { done: total, total },
    summary: { ...summary },
  });
  return { summary, train: train.results, heldOut: heldOut.results };
}

/** The perturbation x10 around mid-grey, enlarged to at least 256 px for viewing. */
async function visualise(v: Float32Array, width: number, height: number): Promise<Buffer> {
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) for (let p = 0; p < plane; p++) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(128 + 10 * 255 * v[c * plane + p])));
  const factor = Math.max(1, Math.ceil(256 / Math.max(width, height)));
  const { image } = await resizeImage({ width, height, channels: 3, data }, width * factor, height * factor, { kernel: 'nearest' });
  return encodeImage(image, 'png');
}

/** Left-right mirror images of the given files, written as PNGs into `dir`. */
async function mirrored(paths: readonly string[], dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const path of paths) {
    const image = await decodeImage(path);
    const data = new Uint8Array(image.data.length);
    const ch = image.channels;
    for (let y = 0; y < image.height; y++)
      for (let x = 0; x < image.width; x++)
        for (let c = 0; c < ch; c++) data[(y * image.width + x) * ch + c] = image.data[(y * image.width + (image.width - 1 - x)) * ch + c];
    const file = join(dir, `${basename(path, extname(path))}.mirror.png`);
    writeFileAtomic(file, await encodeImage({ ...image, data }, 'png'));
    out.push(file);
  }
  return out;
}
