import { basename, extname, join } from 'node:path';
import type { DefenceSetup } from '../../defences/build';
import { TransformedClassifier } from '../../defences/transformed-classifier';
import { writeFileAtomic } from '../../fs/atomic';
import { writeRunRecord } from '../../runs/record';
import { withRunLock } from '../../runs/lock';
import { decodeImage, encodeImage, type RasterImage } from '../../image/image';
import type { LoadedModel } from '../../models/loaded';
import { predictFiles } from '../../models/predict';
import type { ImagePrediction } from '../../models/types';
import { floatTensor, type FloatTensor } from '../../tensor/tensor';
import { gatherSamples, softmaxRows } from '../../classifier/batch';
import { binaryLabels, type ClassifierOracle } from '../../classifier/classifier';
import { type AttackInput, type AttackOutput, reachedGoal } from './goal';
import { amplifiedPerturbation, panel } from './figures';
import { imageNorms, planeNorms, stat, type PerturbationNorms, type Stat } from './metrics';
import { PipelineOperator, PipelineTransform, type Upsample } from './pipeline-operator';
import { modelInput, realise } from './realise';

/**
 * Scales a minimum-norm perturbation may be multiplied by to survive 8-bit rounding. Near a
 * tie the perturbation can be far below one 8-bit level per pixel, so the list goes far.
 */
const MINIMUM_NORM_SCALES = [1, 1.1, 1.25, 1.5, 2, 3, 5, 8, 12, 20, 35, 60];

/** An attack as the image runner drives it. */
export interface DigitalAttack {
  name: string;
  run(input: AttackInput): Promise<AttackOutput>;
  /** L-inf budget, also enforced on the written 8-bit image. */
  linfBudget?: number;
  /** Minimum-norm attacks land on the decision boundary; the runner may scale their perturbation up to survive rounding. */
  minimumNorm: boolean;
  upsample: Upsample;
  /** The settings it runs with, as run.json records them. */
  settings?: Record<string, unknown>;
}

export interface RunImagesOptions {
  /** The model the attack differentiates or queries (the surrogate, for transfer). */
  model: LoadedModel;
  /** Its undefended classifier. */
  classifier: ClassifierOracle;
  defences?: DefenceSetup;
  attack: DigitalAttack;
  images: readonly string[];
  out: string;
  /** Targeted attacks: a class index of `model`. */
  target?: number;
  /** Images per attack batch. */
  batch: number;
  /** Draws of a randomised defence each written image is judged on. */
  judgeDraws: number;
  /** Black-box transfer: judge the written images on this model (never differentiated). */
  transferTo?: LoadedModel;
  /** After each image, with its result. */
  onProgress?: (done: number, total: number, result: ImageResult) => void;
}

export interface Prediction {
  index: number;
  label: string;
  prob: number;
}

export interface DefendedResult {
  /** Fraction of the defence's draws on which the clean image keeps its label. */
  cleanAccuracy: number;
  /** Fraction of draws on which the written adversarial image reaches the goal (and is not flagged). */
  success: number;
  cleanFlagged?: boolean;
  flagged?: boolean;
}

export interface ImageResult {
  image: string;
  width: number;
  height: number;
  adversarialImage?: string;
  perturbationImage?: string;
  panelImage?: string;
  original: Prediction;
  adversarial?: Prediction;
  /** Reached the goal on the model's normal predict path run on the written PNG. */
  success: boolean;
  skipped?: string;
  defended?: DefendedResult;
  /** Transfer: the surrogate's view of the same written PNG. */
  surrogate?: { original: Prediction; adversarial: Prediction; success: boolean };
  norms?: PerturbationNorms;
  /** Norms of what the model sees (its preprocessing of the written image) against the clean input. */
  modelNorms?: PerturbationNorms;
  /** Model evaluations: the attack's, plus the realisation checks. */
  queries: number;
  /** Perturbation scale the realisation needed (minimum-norm attacks). */
  scale?: number;
  seconds: number;
  extras?: Record<string, number>;
}

export interface RunSummary {
  attack: string;
  model: string;
  transferTo?: string;
  defence?: string;
  images: number;
  attacked: number;
  /** Successes (verified on the written PNGs) / attacked images. */
  successRate: number;
  /** Norms over the successful images, original resolution. */
  l0: Stat;
  l2: Stat;
  linf: Stat;
  /** L2 at the model's input resolution, over the successful images. */
  modelL2: Stat;
  queries: Stat;
  seconds: { total: number; perImage: number };
  defended?: { cleanAccuracy: number; successRate: number; undefendedSuccessRate: number; detectorFlaggedClean?: number; detectorFlaggedAdversarial?: number };
  surrogateSuccessRate?: number;
}

/** An input image, decoded, with its clean model input as the predict path computes it. */
export interface LoadedImage {
  path: string;
  base: string;
  original: RasterImage;
  clean: FloatTensor;
}

/**
 * Runs a digital attack on image files: prepares each image as the model's predict path
 * does, attacks the batch at the model's input size, writes each adversarial image at the
 * input's own resolution (8-bit PNG), the perturbation x10 and a side-by-side panel, and
 * judges success only by running the normal predict path on the written PNG.
 */
export async function runImages(options: RunImagesOptions): Promise<{ results: ImageResult[]; summary: RunSummary }> {
  // One writer per --out folder: a second run into it would interleave images and results.
  return withRunLock(options.out, () => attackImages(options));
}

async function attackImages(options: RunImagesOptions): Promise<{ results: ImageResult[]; summary: RunSummary }> {
  const { model, attack } = options;
  const judgeModel = options.transferTo ?? model;
  const loaded = await loadImages(model, options.images);
  const cleanPredictions = await predictOne(judgeModel, options.images);
  const surrogateClean = options.transferTo ? await predictOne(model, options.images) : cleanPredictions;
  const labels = surrogateClean.map((p) => p.index);
  const defences = options.defences;
  const attacked = defences?.attacked ?? options.classifier;
  const allClean = cleanBatch(loaded);
  if (defences?.detector) await defences.detector.calibrate(allClean, defences.detectorFalsePositiveRate ?? 0.05);
  const results: ImageResult[] = [];
  const started = Date.now();
  for (const job of await planJobs(loaded, model, attack.upsample, options.batch)) {
    const rows = job.rows;
    const goal = { labels: rows.map((r) => labels[r]), targets: options.target === undefined ? undefined : rows.map(() => options.target!) };
    const active = rows.map((_, i) => i).filter((i) => !(goal.targets && goal.targets[i] === goal.labels[i]));
    // Images of another size than the model's: attack through the measured resize round trip.
    const classifier = job.operator ? throughPipeline(attacked, job.operator, loaded[rows[0]]) : attacked;
    const t0 = Date.now();
    const crafted = active.length > 0
      ? await attack.run({
          classifier,
          x0: gatherSamples(allClean, active.map((i) => rows[i])),
          labels: active.map((i) => goal.labels[i]),
          targets: goal.targets && active.map((i) => goal.targets![i]),
          pool: allClean,
        })
      : undefined;
    const attackSeconds = (Date.now() - t0) / 1000 / Math.max(1, active.length);
    for (const [i, r] of rows.entries()) {
      const item = loaded[r];
      const original = cleanPredictions[r];
      const k = active.indexOf(i);
      if (k < 0 || !crafted) {
        const skipped: ImageResult = { image: item.path, width: item.original.width, height: item.original.height, original, success: false, skipped: 'already the target class', queries: 0, seconds: 0 };
        results.push(skipped);
        options.onProgress?.(results.length, loaded.length, skipped);
        continue;
      }
      const t1 = Date.now();
      const single = { labels: [goal.labels[i]], targets: goal.targets && [goal.targets[i]] };
      const size = item.clean.data.length;
      const adversarialPixels = crafted.adversarial.data.subarray(k * size, (k + 1) * size);
      const realised = await realise(item.original, model, item.clean.data, adversarialPixels, {
        maxLevels: attack.linfBudget === undefined ? undefined : Math.floor(attack.linfBudget * 255 + 1e-6),
        upsample: attack.upsample,
        scales: attack.minimumNorm ? MINIMUM_NORM_SCALES : [1],
        judge: async (input) => reachedGoal(single, 0, (await attacked.logits(input)).data),
      });
      const files = await writeOutputs(options.out, item, realised.image);
      const [adversarial] = await predictOne(judgeModel, [files.adversarialImage]);
      // Transfer judges the target model against its own clean prediction; targets are class indices of both.
      const success = goalMet(adversarial.index, options.transferTo ? original.index : goal.labels[i], single.targets?.[0]);
      const result: ImageResult = {
        image: item.path,
        width: item.original.width,
        height: item.original.height,
        ...files,
        original,
        adversarial,
        success,
        norms: imageNorms(item.original, realised.image),
        modelNorms: planeNorms(realised.modelInput.data, item.clean.data),
        queries: crafted.queries[k] + realised.checks,
        scale: attack.minimumNorm ? realised.scale : undefined,
        seconds: attackSeconds + (Date.now() - t1) / 1000,
        extras: extrasOf(crafted, k),
      };
      if (options.transferTo) {
        const [surrogateAdv] = await predictOne(model, [files.adversarialImage]);
        result.surrogate = { original: surrogateClean[r], adversarial: surrogateAdv, success: goalMet(surrogateAdv.index, goal.labels[i], single.targets?.[0]) };
      }
      if (defences) result.defended = await judgeDefended(defences, item.clean, realised.modelInput, single, options.judgeDraws);
      await writePanel(options.out, item, realised.image, original, adversarial, result);
      results.push(result);
      options.onProgress?.(results.length, loaded.length, result);
    }
  }
  const summary = summarise(options, results, (Date.now() - started) / 1000);
  writeFileAtomic(join(options.out, 'results.json'), JSON.stringify({ summary, results }, null, 2) + '\n');
  writeRunRecord(options.out, {
    kind: `digital/${attack.name}`,
    created: new Date(started).toISOString(),
    status: 'done',
    config: digitalConfig(options),
    steps: { done: results.length, total: results.length },
    summary: { ...summary },
  });
  return { results, summary };
}

interface Job {
  rows: number[];
  /** The resize round trip of this job's single image; absent when images already have the model's size. */
  operator?: PipelineOperator;
}

/** Images of the model's own size go in batches; others one by one, each with its own round trip. */
async function planJobs(loaded: readonly LoadedImage[], model: LoadedModel, upsample: Upsample, batch: number): Promise<Job[]> {
  const jobs: Job[] = [];
  const operators = new Map<string, PipelineOperator>();
  let plain: number[] = [];
  for (const [r, item] of loaded.entries()) {
    const key = `${item.original.width}x${item.original.height}`;
    const operator = operators.get(key) ?? (await PipelineOperator.measure(item.original.width, item.original.height, model, upsample));
    operators.set(key, operator);
    if (!operator.identity) {
      jobs.push({ rows: [r], operator });
      continue;
    }
    plain.push(r);
    if (plain.length === batch) {
      jobs.push({ rows: plain });
      plain = [];
    }
  }
  if (plain.length > 0) jobs.push({ rows: plain });
  return jobs;
}

/** The classifier as an attack on this image should see it: behind the image's resize round trip. */
export function throughPipeline(classifier: ClassifierOracle, operator: PipelineOperator, item: LoadedImage): ClassifierOracle {
  return operator.identity ? classifier : new TransformedClassifier(classifier, [new PipelineTransform(operator, item.clean.data)]);
}

/** The clean model inputs of the images as one batch. */
export function cleanBatch(images: readonly LoadedImage[]): FloatTensor {
  const size = images[0].clean.data.length;
  const out = floatTensor([images.length, ...images[0].clean.dims]);
  images.forEach((img, i) => out.data.set(img.clean.data, i * size));
  return out;
}

export async function loadImages(model: LoadedModel, paths: readonly string[]): Promise<LoadedImage[]> {
  const used = new Map<string, number>();
  const out: LoadedImage[] = [];
  for (const path of paths) {
    const original = await decodeImage(path);
    let base = basename(path, extname(path));
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    if (seen > 0) base = `${base}-${seen + 1}`;
    out.push({ path, base, original, clean: floatTensor([3, model.height, model.width], (await modelInput(original, model)).data) });
  }
  return out;
}

/**
 * Top-1 of the model's normal predict path (decode, resize, encode, run, read the head) per
 * file. A single-score classifier is read as two classes (see binaryLabels), whether predict
 * reports its one label's probability or only an output summary.
 */
export async function predictOne(model: LoadedModel, paths: readonly string[]): Promise<Prediction[]> {
  const predictions = await predictFiles(model, paths, { top: 2 });
  return predictions.map((p) => {
    const single = singleScore(model, p);
    if (single !== undefined) {
      const names = binaryLabels(model.labels);
      const index = single >= 0.5 ? 1 : 0;
      return { index, label: names[index], prob: index === 1 ? single : 1 - single };
    }
    const top = p.top?.[0];
    if (!top) throw new Error(`${model.label}: predict gave no class for ${p.image}`);
    return { index: top.index, label: top.label, prob: top.prob };
  });
}

/** The probability of a single-score classifier's class, or undefined for other models. */
function singleScore(model: LoadedModel, p: ImagePrediction): number | undefined {
  const head = model.head;
  if (head.kind !== 'classifier') return undefined;
  const label = model.labels?.length === 1 ? model.labels[0] : undefined;
  if (p.top && p.top.length === 1 && label !== undefined) {
    const t = p.top[0];
    if (t.label === label) return t.prob;
    if (t.label === `not ${label}`) return 1 - t.prob;
  }
  if (!p.top && p.outputs) {
    const output = head.output ? p.outputs.find((o) => o.name === head.output) : p.outputs[0];
    if (output && output.dims.reduce((a, b) => a * b, 1) === 1) {
      const v = output.mean;
      const probabilities = head.activation === 'probabilities' || (head.activation === 'auto' && v >= 0 && v <= 1);
      return probabilities ? v : 1 / (1 + Math.exp(-v));
    }
  }
  return undefined;
}

function goalMet(predicted: number, label: number, target?: number): boolean {
  return target === undefined ? predicted !== label : predicted === target;
}

async function writeOutputs(out: string, item: LoadedImage, adversarial: RasterImage): Promise<{ adversarialImage: string; perturbationImage: string }> {
  const adversarialImage = join(out, `${item.base}.adv.png`);
  const perturbationImage = join(out, `${item.base}.perturbation.png`);
  writeFileAtomic(adversarialImage, await encodeImage(adversarial, 'png'));
  writeFileAtomic(perturbationImage, await encodeImage(amplifiedPerturbation(item.original, adversarial), 'png'));
  return { adversarialImage, perturbationImage };
}

async function writePanel(out: string, item: LoadedImage, adversarial: RasterImage, original: Prediction, after: Prediction, result: ImageResult): Promise<void> {
  const percent = (p: Prediction): string => `${p.label} ${(p.prob * 100).toFixed(1)}%`;
  const norms = result.norms!;
  const png = await panel(
    [item.original, amplifiedPerturbation(item.original, adversarial), adversarial],
    [
      { title: 'original', line: percent(original) },
      { title: 'perturbation x10', line: `Linf ${Math.round(norms.linf * 255)}/255, L2 ${norms.l2.toFixed(2)}` },
      {
        title: result.defended ? `defended: fooled ${Math.round(result.defended.success * 100)}%` : result.success ? 'adversarial' : 'adversarial (failed)',
        line: result.defended ? `undefended: ${percent(after)}` : percent(after),
      },
    ],
  );
  result.panelImage = join(out, `${item.base}.panel.png`);
  writeFileAtomic(result.panelImage, png);
}

/** The written image as the defended model sees it, over `draws` draws of its randomness. */
async function judgeDefended(defences: DefenceSetup, clean: FloatTensor, adversarial: FloatTensor, goal: { labels: number[]; targets?: number[] }, draws: number): Promise<DefendedResult> {
  const n = defences.randomised ? draws : 1;
  const tile = (t: FloatTensor): FloatTensor => gatherSamples(floatTensor([1, ...t.dims.slice(-3)], t.data), new Array(n).fill(0));
  const classes = defences.deployed.classes;
  const cleanProbs = softmaxRows((await defences.deployed.logits(tile(clean))).data, classes);
  const advLogits = (await defences.deployed.logits(tile(adversarial))).data;
  let kept = 0;
  let reached = 0;
  for (let d = 0; d < n; d++) {
    const row = cleanProbs.subarray(d * classes, (d + 1) * classes);
    if (!reachedGoal({ labels: goal.labels }, 0, row)) kept++;
    if (reachedGoal(goal, 0, advLogits.subarray(d * classes, (d + 1) * classes))) reached++;
  }
  const result: DefendedResult = { cleanAccuracy: kept / n, success: reached / n };
  if (defences.detector) {
    const [cleanFlag] = await defences.detector.flags(floatTensor([1, ...clean.dims.slice(-3)], clean.data));
    const [advFlag] = await defences.detector.flags(adversarial);
    result.cleanFlagged = cleanFlag;
    result.flagged = advFlag;
    if (advFlag) result.success = 0;
  }
  return result;
}

function extrasOf(output: AttackOutput, k: number): Record<string, number> | undefined {
  if (!output.extras) return undefined;
  return Object.fromEntries(Object.entries(output.extras).map(([key, values]) => [key, values[k]]));
}

/** What run.json records of a digital run's options: names and numbers, not the loaded objects. */
export function digitalConfig(options: Pick<RunImagesOptions, 'model' | 'transferTo' | 'defences' | 'batch' | 'judgeDraws'> & { attack: { name: string; settings?: Record<string, unknown> }; target?: number; images?: readonly string[] }): Record<string, unknown> {
  return {
    attack: options.attack.name,
    model: options.model.name,
    ...(options.transferTo ? { transferTo: options.transferTo.name } : {}),
    ...(options.defences ? { defence: options.defences.description } : {}),
    ...(options.target !== undefined ? { target: options.target } : {}),
    ...(options.attack.settings ? { settings: options.attack.settings } : {}),
    ...(options.images ? { images: [...options.images] } : {}),
    batch: options.batch,
    judgeDraws: options.judgeDraws,
  };
}

function summarise(options: RunImagesOptions, results: ImageResult[], seconds: number): RunSummary {
  const attacked = results.filter((r) => !r.skipped);
  const wins = attacked.filter((r) => (r.defended ? r.defended.success >= 0.5 : r.success));
  const mean = (values: number[]): number => (values.length ? values.reduce((a, v) => a + v, 0) / values.length : NaN);
  const summary: RunSummary = {
    attack: options.attack.name,
    model: options.model.name,
    transferTo: options.transferTo?.name,
    defence: options.defences?.description,
    images: results.length,
    attacked: attacked.length,
    successRate: attacked.length ? (options.defences ? mean(attacked.map((r) => r.defended!.success)) : wins.length / attacked.length) : NaN,
    l0: stat(wins.map((r) => r.norms!.l0)),
    l2: stat(wins.map((r) => r.norms!.l2)),
    linf: stat(wins.map((r) => r.norms!.linf)),
    modelL2: stat(wins.map((r) => r.modelNorms!.l2)),
    queries: stat(attacked.map((r) => r.queries)),
    seconds: { total: seconds, perImage: seconds / Math.max(1, results.length) },
  };
  if (options.defences) {
    const flaggedClean = attacked.filter((r) => r.defended!.cleanFlagged !== undefined);
    summary.defended = {
      cleanAccuracy: mean(attacked.map((r) => r.defended!.cleanAccuracy)),
      successRate: summary.successRate,
      undefendedSuccessRate: attacked.filter((r) => r.success).length / Math.max(1, attacked.length),
      detectorFlaggedClean: flaggedClean.length ? mean(flaggedClean.map((r) => (r.defended!.cleanFlagged ? 1 : 0))) : undefined,
      detectorFlaggedAdversarial: flaggedClean.length ? mean(flaggedClean.map((r) => (r.defended!.flagged ? 1 : 0))) : undefined,
    };
  }
  if (options.transferTo) summary.surrogateSuccessRate = attacked.filter((r) => r.surrogate?.success).length / Math.max(1, attacked.length);
  return summary;
}
