import { cloneTensor, perSample, project, randomStart } from '../classifier/batch';
import type { ClassifierGradient, ClassifierOracle } from '../classifier/classifier';
import { ClassifierWrapper } from '../defences/wrapper';
import { MarginLoss, type LogitLoss, type LossValue } from '../classifier/losses';
import { Rng } from '../random';
import { carliniWagnerL2 } from '../attacks/digital/cw';
import { fgsm } from '../attacks/digital/fgsm';
import { pgd } from '../attacks/digital/pgd';
import { squareAttack } from '../attacks/digital/square';
import type { RobustAttack, SquareChannels } from '../../shared/training';
import { floatTensor, type FloatTensor } from '../tensor/tensor';
import { replicate } from '../train/teacher';

export { ROBUST_ATTACKS, type RobustAttack } from '../../shared/training';

export const ROBUST_DESCRIPTIONS: Record<RobustAttack, string> = {
  clean: 'no attack',
  fgsm: 'FGSM on the softmax cross-entropy (one step of eps)',
  'pgd-20': 'PGD, 20 steps of 2.5 eps/20 from a random start, on the softmax cross-entropy',
  'pgd-100': 'PGD, 100 steps of 2.5 eps/100, several random restarts (robust only if every restart fails)',
  'cw-linf': 'PGD (100 steps) on the Carlini-Wagner logit margin instead of the softmax: immune to a saturated softmax',
  'cw-l2': 'Carlini-Wagner L2 on the logits; robust when its smallest adversarial perturbation exceeds the L2 budget',
  square: 'Square Attack: black-box random search on the margin of the scores (no gradients at all)',
  transfer: 'PGD-20 adversarial images crafted on another (standard) model, shown to this one',
};

/**
 * Ascends the Carlini-Wagner margin Z_other - Z_label (MarginLoss is written to be minimised),
 * so PGD on it attacks the logits directly (the "CW-L∞" attack of Madry et al. and Croce & Hein).
 */
export class AscentMargin extends MarginLoss {
  override evaluate(logits: Float32Array, classes: number): LossValue {
    const { loss, grad } = super.evaluate(logits, classes);
    return { loss: loss.map((v) => -v), grad: grad.map((v) => -v) };
  }
  override select(rows: readonly number[]): AscentMargin {
    return new AscentMargin(rows.map((r) => this.labels[r]), this.kappa, this.targeted);
  }
}

/** L-inf PGD on the margin loss, with the same projection and random start as the shared pgd(). */
export async function pgdMargin(classifier: ClassifierOracle, x0: FloatTensor, labels: number[], eps: number, steps: number, seed: number): Promise<FloatTensor> {
  const loss = new AscentMargin(labels, 1e9);
  const alpha = (2.5 * eps) / steps;
  const size = perSample(x0);
  let x = randomStart(x0, eps, 'linf', new Rng(seed));
  const best = cloneTensor(x);
  const bestLoss = new Float64Array(labels.length).fill(-Infinity);
  for (let step = 0; step <= steps; step++) {
    const r = await classifier.gradient(x, loss);
    for (let s = 0; s < labels.length; s++) {
      if (r.loss[s] > bestLoss[s]) {
        bestLoss[s] = r.loss[s];
        best.data.set(x.data.subarray(s * size, (s + 1) * size), s * size);
      }
    }
    if (step === steps) break;
    const next = cloneTensor(x);
    for (let i = 0; i < next.data.length; i++) next.data[i] += alpha * Math.sign(r.grad.data[i]);
    project(next, x0, eps, 'linf');
    x = next;
  }
  return best;
}

export interface RobustSettings {
  eps: number;
  /** L2 budget for cw-l2 (RGB [0,1] units; a grey image's three equal channels make it sqrt(3) times the grey L2). */
  epsL2: number;
  restarts: number;
  squareQueries: number;
  /** Square's initial fraction of pixels per square (Andriushchenko et al. tune it per dataset). */
  squarePInit: number;
  squareChannels: SquareChannels;
  cwSteps: number;
  cwSearch: number;
  seed: number;
}

/** Adversarial images for one attack on a chunk (clean and transfer are handled by the caller). */
export async function attackChunk(attack: Exclude<RobustAttack, 'clean' | 'transfer'>, classifier: ClassifierOracle, x0: FloatTensor, labels: number[], s: RobustSettings): Promise<FloatTensor[]> {
  const input = { classifier, x0, labels };
  switch (attack) {
    case 'fgsm':
      return [(await fgsm(input, { eps: s.eps })).adversarial];
    case 'pgd-20':
      return [(await pgd(input, { eps: s.eps, norm: 'linf', steps: 20, randomStart: true, seed: s.seed })).adversarial];
    case 'pgd-100': {
      const out: FloatTensor[] = [];
      for (let r = 0; r < s.restarts; r++) out.push((await pgd(input, { eps: s.eps, norm: 'linf', steps: 100, randomStart: true, seed: s.seed + 1 + r })).adversarial);
      return out;
    }
    case 'cw-linf':
      return [await pgdMargin(classifier, x0, labels, s.eps, 100, s.seed)];
    case 'cw-l2':
      return [(await carliniWagnerL2(input, { kappa: 0, searchSteps: s.cwSearch, steps: s.cwSteps, learningRate: 0.01, initialConst: 1 })).adversarial];
    case 'square':
      return [await square(classifier, x0, labels, s)];
  }
}

/**
 * Square on the report's grey images. `shared` searches the grey image itself (one channel, the
 * classifier sees it replicated to RGB): every square then moves the grey pixels by the full
 * eps, and the result is still an RGB image within eps of x0. `independent` is the paper's
 * per-channel colour draw on RGB.
 */
async function square(classifier: ClassifierOracle, x0: FloatTensor, labels: number[], s: RobustSettings): Promise<FloatTensor> {
  const options = { eps: s.eps, maxQueries: s.squareQueries, pInit: s.squarePInit, seed: s.seed };
  if (s.squareChannels === 'independent') return (await squareAttack({ classifier, x0, labels }, options)).adversarial;
  const grey = firstChannel(x0);
  return replicate((await squareAttack({ classifier: new ReplicatedGrey(classifier), x0: grey, labels }, options)).adversarial);
}

function firstChannel(x: FloatTensor): FloatTensor {
  const [n, c, h, w] = x.dims;
  const out = new Float32Array(n * h * w);
  for (let b = 0; b < n; b++) out.set(x.data.subarray(b * c * h * w, b * c * h * w + h * w), b * h * w);
  return floatTensor([n, 1, h, w], out);
}

/** A classifier of one grey channel in front of an RGB one (the grey image repeated in R, G and B). */
export class ReplicatedGrey extends ClassifierWrapper {
  logits(pixels: FloatTensor): Promise<FloatTensor> {
    return this.inner.logits(replicate(pixels));
  }
  /** d/d(grey) is the sum of the three channels' gradients. */
  async gradient(pixels: FloatTensor, loss: LogitLoss): Promise<ClassifierGradient> {
    const r = await this.inner.gradient(replicate(pixels), loss);
    const [n, , h, w] = pixels.dims;
    const grad = new Float32Array(n * h * w);
    for (let b = 0; b < n; b++) for (let c = 0; c < 3; c++) for (let k = 0; k < h * w; k++) grad[b * h * w + k] += r.grad.data[(b * 3 + c) * h * w + k];
    return { ...r, grad: floatTensor([n, 1, h, w], grad) };
  }
  /** The wrapped classifier belongs to the caller. */
  override dispose(): Promise<void> {
    return Promise.resolve();
  }
}
