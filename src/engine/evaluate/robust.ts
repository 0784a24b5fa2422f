import { join } from 'node:path';
import { gradientClassifierForModel } from '../classifier/model-classifier';
import type { ClassifierOracle } from '../classifier/classifier';
import { sampleNorms } from '../classifier/batch';
import { pgd } from '../attacks/digital/pgd';
import { UserError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import { loadModel } from '../models/loaded';
import { floatTensor, type FloatTensor } from '../tensor/tensor';
import { loadFashionMnist, loadImageFolder, makeBatch, splitTrainVal, type Dataset } from '../train/data';
import { VAL_SPLIT, type EvalSplit, type RobustConfig } from '../../shared/training';
import { replicate } from '../train/teacher';
import { renderChart } from './plots';
import { attackChunk, ROBUST_DESCRIPTIONS, type RobustAttack, type RobustSettings } from './robust-attacks';
import { robustChart } from './robust-chart';

/** The declared settings (src/shared/training.ts) and where to write the report. */
export interface RobustOptions extends RobustConfig {
  out?: string;
}

export interface RobustRow {
  attack: RobustAttack;
  description: string;
  eps: number | null;
  accuracy: number;
  correct: number;
  count: number;
  seconds: number;
}

export interface RobustReport {
  model: string;
  data: string;
  split: string;
  count: number;
  settings: RobustSettings;
  rows: RobustRow[];
  sweep: { attack: 'fgsm' | 'pgd-20'; eps: number; accuracy: number }[];
  /** Median L2 of C&W's successful perturbations (RGB units), when cw-l2 ran. */
  cwMedianL2?: number;
  notes: string[];
}

export type RobustProgress = (message: string) => void;

/**
 * The images a report runs on. test: Fashion-MNIST's 10k test set (a folder: all of it). val: the
 * seeded split a training run with seed `valSeed` held out (VAL_SPLIT.count images, as trainingData
 * carves it), for choosing attack settings without touching test.
 */
export async function evaluationData(data: string, split: EvalSplit, valSeed: number): Promise<{ dataset: Dataset; split: string }> {
  if (split === 'test') {
    if (data === 'fashion-mnist') return { dataset: loadFashionMnist('test'), split: 'Fashion-MNIST test (10k, never used for training or choices)' };
    return { dataset: await loadImageFolder(data, 28), split: `${data} (all images)` };
  }
  const all = data === 'fashion-mnist' ? loadFashionMnist('train') : await loadImageFolder(data, 28);
  const { val } = splitTrainVal(all.count, Math.min(VAL_SPLIT.count, Math.floor(all.count / 5)), valSeed);
  return { dataset: subset(all, val), split: `${data === 'fashion-mnist' ? 'Fashion-MNIST' : data} val split (seed ${valSeed}, ${val.length} training images held out)` };
}

function subset(data: Dataset, indices: Uint32Array): Dataset {
  const px = data.size * data.size;
  const images = new Uint8Array(indices.length * px);
  indices.forEach((k, i) => images.set(data.images.subarray(k * px, (k + 1) * px), i * px));
  return { ...data, name: `${data.name}/val`, images, labels: Uint8Array.from(indices, (k) => data.labels[k]), count: indices.length };
}

/** Pixels as the classifier takes them: RGB [0,1] at its input size, from grey data. */
function pixelsFor(dataset: Dataset, idx: Uint32Array): FloatTensor {
  return replicate(makeBatch(dataset, idx, 'none'));
}

async function correctMask(classifier: ClassifierOracle, x: FloatTensor, labels: number[]): Promise<boolean[]> {
  const logits = await classifier.logits(x);
  const c = classifier.classes;
  return labels.map((y, i) => {
    let best = 0;
    for (let j = 1; j < c; j++) if (logits.data[i * c + j] > logits.data[i * c + best]) best = j;
    return best === y;
  });
}

/**
 * The robustness report: accuracy of a classifier on held-out data under each attack at one
 * L-inf radius, with true labels (a sample counts as robust only if it is classified correctly
 * after the attack, so clean mistakes are never robust), plus accuracy vs eps for FGSM and PGD-20.
 */
export async function robustReport(o: RobustOptions, progress?: RobustProgress): Promise<RobustReport> {
  const { dataset, split } = await evaluationData(o.data, o.split, o.valSeed);
  const count = Math.min(o.count, dataset.count);
  const model = await loadModel(o.model);
  const classifier = await gradientClassifierForModel(model);
  if (classifier.classes !== dataset.labelNames.length) {
    await classifier.dispose();
    throw new UserError(`${o.model}: ${classifier.classes} classes, but ${split} has ${dataset.labelNames.length} (evaluate a model on data of its own classes: --data)`);
  }
  const source = o.source ? await gradientClassifierForModel(await loadModel(o.source)) : undefined;
  const attacks = o.attacks.filter((a) => a !== 'transfer' || source);
  const correct = new Map<RobustAttack, number>(attacks.map((a) => [a, 0]));
  const seconds = new Map<RobustAttack, number>(attacks.map((a) => [a, 0]));
  const sweepKeys = o.sweep.flatMap((eps) => (['fgsm', 'pgd-20'] as const).map((attack) => ({ attack, eps })));
  const sweepCorrect = sweepKeys.map(() => 0);
  const cwNorms: number[] = [];
  for (let start = 0; start < count; start += o.chunk) {
    const idx = Uint32Array.from({ length: Math.min(o.chunk, count - start) }, (_, i) => start + i);
    const labels = [...idx].map((i) => dataset.labels[i]);
    const x0 = pixelsFor(dataset, idx);
    const clean = await correctMask(classifier, x0, labels);
    for (const attack of attacks) {
      const t0 = Date.now();
      let robust: boolean[];
      if (attack === 'clean') robust = clean;
      else if (attack === 'transfer') {
        const adv = (await pgd({ classifier: source!, x0, labels }, { eps: o.eps, norm: 'linf', steps: 20, randomStart: true, seed: o.seed })).adversarial;
        robust = (await correctMask(classifier, adv, labels)).map((r, i) => r && clean[i]);
      } else {
        const candidates = await attackChunk(attack, classifier, x0, labels, o);
        robust = [...clean];
        for (let adv of candidates) {
          if (attack === 'cw-l2') adv = withinL2(adv, x0, o.epsL2, cwNorms, await correctMask(classifier, adv, labels));
          const ok = await correctMask(classifier, adv, labels);
          robust = robust.map((r, i) => r && ok[i]);
        }
      }
      correct.set(attack, correct.get(attack)! + robust.filter(Boolean).length);
      seconds.set(attack, seconds.get(attack)! + (Date.now() - t0) / 1000);
    }
    for (let k = 0; k < sweepKeys.length; k++) {
      const { attack, eps } = sweepKeys[k];
      if (eps === 0) {
        sweepCorrect[k] += clean.filter(Boolean).length;
        continue;
      }
      const [adv] = await attackChunk(attack, classifier, x0, labels, { ...o, eps });
      const ok = await correctMask(classifier, adv, labels);
      sweepCorrect[k] += ok.filter((r, i) => r && clean[i]).length;
    }
    progress?.(`${Math.min(count, start + o.chunk)}/${count} images: ${attacks.map((a) => `${a} ${((100 * correct.get(a)!) / Math.min(count, start + o.chunk)).toFixed(1)}%`).join(', ')}`);
  }
  await classifier.dispose();
  await source?.dispose();
  const rows: RobustRow[] = attacks.map((attack) => ({
    attack,
    description: ROBUST_DESCRIPTIONS[attack],
    eps: attack === 'clean' ? null : attack === 'cw-l2' ? o.epsL2 : o.eps,
    accuracy: correct.get(attack)! / count,
    correct: correct.get(attack)!,
    count,
    seconds: seconds.get(attack)!,
  }));
  const report: RobustReport = {
    model: o.model,
    data: o.data,
    split,
    count,
    settings: { eps: o.eps, epsL2: o.epsL2, restarts: o.restarts, squareQueries: o.squareQueries, squarePInit: o.squarePInit, squareChannels: o.squareChannels, cwSteps: o.cwSteps, cwSearch: o.cwSearch, seed: o.seed },
    rows,
    sweep: sweepKeys.map((k, i) => ({ ...k, accuracy: sweepCorrect[i] / count })),
    ...(cwNorms.length > 0 ? { cwMedianL2: median(cwNorms) } : {}),
    notes: maskingNotes(rows),
  };
  if (o.out) await writeRobustReport(report, o.out);
  return report;
}

/** C&W-L2 is a minimum-norm attack: a success beyond the L2 budget does not count (the clean image stands). */
function withinL2(adv: FloatTensor, x0: FloatTensor, budget: number, norms: number[], stillCorrect: boolean[]): FloatTensor {
  const l2 = sampleNorms(adv, 'l2', x0);
  const out = floatTensor(adv.dims, Float32Array.from(adv.data));
  const size = adv.data.length / adv.dims[0];
  for (let i = 0; i < adv.dims[0]; i++) {
    if (!stillCorrect[i]) norms.push(l2[i]);
    if (l2[i] > budget) out.data.set(x0.data.subarray(i * size, (i + 1) * size), i * size);
  }
  return out;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** What the numbers say about gradient masking (Carlini & Wagner 2017; Athalye et al. 2018). */
export function maskingNotes(rows: RobustRow[]): string[] {
  const acc = (a: RobustAttack) => rows.find((r) => r.attack === a)?.accuracy;
  const notes: string[] = [];
  const pgd = acc('pgd-20');
  const margin = acc('cw-linf');
  const square = acc('square');
  const strongest = Math.min(...(['pgd-20', 'pgd-100', 'cw-linf', 'square'] as const).map((a) => acc(a) ?? Infinity));
  if (pgd !== undefined && margin !== undefined && pgd - margin > 0.2) {
    notes.push(`gradient masking: PGD on the softmax leaves ${(100 * pgd).toFixed(1)}% but PGD on the logit margin ${(100 * margin).toFixed(1)}% — the softmax is saturated, the model is not robust`);
  }
  if (pgd !== undefined && square !== undefined && pgd - square > 0.05) {
    notes.push(`gradient masking: the black-box Square attack (${(100 * square).toFixed(1)}%) beats white-box PGD-20 (${(100 * pgd).toFixed(1)}%)`);
  }
  if (Number.isFinite(strongest)) notes.push(`robust accuracy (worst over the L-inf attacks run): ${(100 * strongest).toFixed(1)}%`);
  return notes;
}

export async function writeRobustReport(report: RobustReport, out: string): Promise<void> {
  writeFileAtomic(join(out, 'robust.json'), JSON.stringify(report, null, 2) + '\n');
  const { svg, png } = await renderChart(robustChart(report));
  writeFileAtomic(join(out, 'robust.svg'), svg);
  writeFileAtomic(join(out, 'robust.png'), png);
}
