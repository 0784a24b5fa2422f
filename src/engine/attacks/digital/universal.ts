import { floatTensor, type FloatTensor } from '../../tensor/tensor';
import { argmaxRows, gatherSamples, type Norm, perSample } from '../../classifier/batch';
import type { ClassifierOracle } from '../../classifier/classifier';
import { deepFool, type DeepFoolOptions } from './deepfool';
import { Rng } from '../../random';
import { CrossEntropyLoss } from '../../classifier/losses';

export interface UniversalOptions {
  eps: number;
  norm: Norm;
  /** Stop once this fraction of the training images is fooled (1 - delta in the paper). */
  targetRate: number;
  /** Passes over the training images at most. */
  maxPasses: number;
  deepfool: DeepFoolOptions;
  seed?: number;
}

export interface UniversalResult {
  /** The perturbation, [1, 3, H, W], inside the eps-ball. */
  perturbation: FloatTensor;
  /** Fooling rate on the training images after each pass. */
  rates: number[];
  queries: number;
}

/**
 * Universal adversarial perturbation (Moosavi-Dezfooli et al. 2017): one perturbation v for a
 * whole set. Pass over the images in random order; wherever x + v is not yet fooled, add
 * DeepFool's minimal extra step for x + v and project v back onto the eps-ball; stop when the
 * fooling rate on the set reaches the target.
 */
export async function universalPerturbation(classifiers: ClassifierOracle | readonly ClassifierOracle[], images: FloatTensor, options: UniversalOptions): Promise<UniversalResult> {
  const n = images.dims[0];
  const size = perSample(images);
  const rng = new Rng(options.seed ?? 0);
  // One classifier for the set, or one per image (e.g. each behind its own resize round trip).
  const at = (i: number): ClassifierOracle => (Array.isArray(classifiers) ? classifiers[i] : (classifiers as ClassifierOracle));
  const predict = async (batch: FloatTensor): Promise<number[]> => {
    if (!Array.isArray(classifiers)) return argmaxRows((await at(0).logits(batch)).data, at(0).classes);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(argmaxRows((await at(i).logits(gatherSamples(batch, [i]))).data, at(i).classes)[0]);
    return out;
  };
  const labels = await predict(images);
  let queries = n;
  const v = new Float32Array(size);
  const rates: number[] = [];
  for (let pass = 0; pass < options.maxPasses; pass++) {
    for (const i of rng.sample(n, n)) {
      const classifier = at(i);
      const x = perturbed(gatherSamples(images, [i]), v);
      const [now] = argmaxRows((await classifier.logits(x)).data, classifier.classes);
      queries++;
      if (now !== labels[i]) continue;
      const step = await deepFool({ classifier, x0: x, labels: [now] }, options.deepfool);
      queries += step.queries[0];
      const [after] = argmaxRows((await classifier.logits(step.adversarial)).data, classifier.classes);
      queries++;
      if (after === now) continue;
      for (let k = 0; k < size; k++) v[k] += step.adversarial.data[k] - x.data[k];
      projectVector(v, options.eps, options.norm);
    }
    const fooled = await predict(perturbed(images, v));
    queries += n;
    const rate = fooled.filter((c, i) => c !== labels[i]).length / n;
    rates.push(rate);
    if (rate >= options.targetRate) break;
  }
  return { perturbation: floatTensor([1, ...images.dims.slice(1)], v), rates, queries };
}

/** images + v for every sample, clipped to [0, 1]. */
export function perturbed(images: FloatTensor, v: Float32Array): FloatTensor {
  const out = floatTensor(images.dims);
  for (let i = 0; i < out.data.length; i++) {
    const value = images.data[i] + v[i % v.length];
    out.data[i] = value < 0 ? 0 : value > 1 ? 1 : value;
  }
  return out;
}

function projectVector(v: Float32Array, eps: number, norm: Norm): void {
  if (norm === 'linf') {
    for (let k = 0; k < v.length; k++) v[k] = Math.max(-eps, Math.min(eps, v[k]));
    return;
  }
  let sq = 0;
  for (const value of v) sq += value * value;
  const scale = Math.sqrt(sq) > eps ? eps / Math.sqrt(sq) : 1;
  for (let k = 0; k < v.length; k++) v[k] *= scale;
}

export interface UniversalSgdOptions {
  eps: number;
  norm: Norm;
  steps: number;
  /** Per-image cross-entropy is clipped here so images already fooled stop pulling (Shafahi et al.). */
  lossCap: number;
}

/**
 * Universal perturbation by projected sign-gradient ascent on the mean (capped) cross-entropy
 * over the whole set (Shafahi et al. 2020, "Universal adversarial training"): every step moves
 * v along the summed gradient of all images at once, so it favours directions that fool many
 * images rather than each one just past its boundary.
 */
export async function universalSgd(classifiers: ClassifierOracle | readonly ClassifierOracle[], images: FloatTensor, options: UniversalSgdOptions): Promise<UniversalResult> {
  const n = images.dims[0];
  const size = perSample(images);
  const at = (i: number): ClassifierOracle => (Array.isArray(classifiers) ? classifiers[i] : (classifiers as ClassifierOracle));
  const labels: number[] = [];
  for (let i = 0; i < n; i++) labels.push(argmaxRows((await at(i).logits(gatherSamples(images, [i]))).data, at(i).classes)[0]);
  const v = new Float32Array(size);
  const alpha = (2.5 * options.eps) / options.steps;
  const rates: number[] = [];
  let queries = n;
  for (let step = 0; step < options.steps; step++) {
    const total = new Float64Array(size);
    let fooled = 0;
    for (let i = 0; i < n; i++) {
      const r = await at(i).gradient(perturbed(gatherSamples(images, [i]), v), new CrossEntropyLoss([labels[i]]));
      queries++;
      if (argmaxRows(r.logits.data, at(i).classes)[0] !== labels[i]) fooled++;
      if (r.loss[0] >= options.lossCap) continue;
      for (let k = 0; k < size; k++) total[k] += r.grad.data[k];
    }
    rates.push(fooled / n);
    if (options.norm === 'l2') {
      let sq = 0;
      for (const g of total) sq += g * g;
      const norm = Math.sqrt(sq) || 1;
      for (let k = 0; k < size; k++) v[k] += (alpha * total[k]) / norm;
    } else {
      for (let k = 0; k < size; k++) v[k] += alpha * Math.sign(total[k]);
    }
    projectVector(v, options.eps, options.norm);
  }
  return { perturbation: floatTensor([1, ...images.dims.slice(1)], v), rates, queries };
}
