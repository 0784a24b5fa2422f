import type { GradientOracle, GradientResult, LossArgs, LossSpec } from '../../src/engine/autodiff/oracle';
import { ModelClassifier, type ScoreActivation } from '../../src/engine/classifier/classifier';
import { floatTensor, type FloatTensor } from '../../src/engine/tensor/tensor';

/**
 * A linear classifier in pixel space, z = W x + b, implementing the gradient-oracle contract
 * in plain TypeScript, so attacks can be checked against answers computable by hand.
 * `emits` picks what the model outputs: the logits, softmax probabilities, or (with one row
 * in W) a single sigmoid probability.
 */
export interface LinearModel {
  width: number;
  height: number;
  /** [classes][3*H*W] */
  weights: Float64Array[];
  bias: number[];
  emits?: 'logits' | 'probabilities' | 'sigmoid1';
}

export class LinearOracle implements GradientOracle {
  readonly width: number;
  readonly height: number;
  forwards = 0;
  gradients = 0;

  constructor(
    readonly model: LinearModel,
    readonly loss: LossSpec,
  ) {
    this.width = model.width;
    this.height = model.height;
  }

  async forward(pixels: FloatTensor): Promise<Record<string, FloatTensor>> {
    this.forwards += pixels.dims[0];
    return { scores: this.raw(pixels) };
  }

  async gradient(pixels: FloatTensor, args: LossArgs = {}): Promise<GradientResult> {
    this.gradients += pixels.dims[0];
    const { weights } = this.model;
    const n = pixels.dims[0];
    const size = pixels.data.length / n;
    const raw = this.raw(pixels);
    const c = weights.length;
    const loss = new Float32Array(n);
    const grad = floatTensor(pixels.dims);
    for (let i = 0; i < n; i++) {
      const row = raw.data.subarray(i * c, (i + 1) * c);
      const dRaw = new Float64Array(c);
      const spec = this.loss;
      if (spec.kind === 'ce') {
        if (this.model.emits && this.model.emits !== 'logits') throw new Error('native ce needs logits');
        const y = args.labels![i];
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
        const sign = spec.targeted ? -1 : 1;
        loss[i] = sign * (lse - row[y]);
        for (let k = 0; k < c; k++) dRaw[k] = sign * (Math.exp(row[k] - lse) - (k === y ? 1 : 0));
      } else if (spec.kind === 'logit') {
        const k = args.labels![i];
        loss[i] = row[k];
        dRaw[k] = 1;
      } else if (spec.kind === 'vjp') {
        const g = args.outputGrads!.scores.data.subarray(i * c, (i + 1) * c);
        for (let k = 0; k < c; k++) {
          dRaw[k] = g[k];
          loss[i] += g[k] * row[k];
        }
      } else {
        throw new Error(`LinearOracle does not implement loss '${spec.kind}'`);
      }
      const dz = this.rawToLogitGrad(row, dRaw);
      const g = grad.data.subarray(i * size, (i + 1) * size);
      for (let k = 0; k < c; k++) if (dz[k] !== 0) for (let p = 0; p < size; p++) g[p] += dz[k] * weights[k][p];
    }
    const meanLoss = loss.reduce((s, v) => s + v, 0) / n;
    return { loss, meanLoss, outputs: { scores: raw }, grad };
  }

  async dispose(): Promise<void> {}

  /** z = W x + b, then the output activation. */
  private raw(pixels: FloatTensor): FloatTensor {
    const { weights, bias } = this.model;
    const n = pixels.dims[0];
    const size = pixels.data.length / n;
    const c = weights.length;
    const out = floatTensor([n, c]);
    for (let i = 0; i < n; i++) {
      const x = pixels.data.subarray(i * size, (i + 1) * size);
      const z = weights.map((w, k) => w.reduce((s, v, p) => s + v * x[p], bias[k]));
      const emitted = this.model.emits === 'probabilities' ? softmax(z) : this.model.emits === 'sigmoid1' ? z.map((v) => 1 / (1 + Math.exp(-v))) : z;
      out.data.set(emitted, i * c);
    }
    return out;
  }

  private rawToLogitGrad(row: Float32Array, dRaw: Float64Array): Float64Array {
    if (this.model.emits === 'probabilities') {
      let dot = 0;
      for (let k = 0; k < row.length; k++) dot += row[k] * dRaw[k];
      return dRaw.map((g, k) => row[k] * (g - dot));
    }
    if (this.model.emits === 'sigmoid1') return dRaw.map((g, k) => g * row[k] * (1 - row[k]));
    return dRaw;
  }
}

function softmax(z: number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** A ModelClassifier over LinearOracles (one per loss, as the real engine builds them). */
export async function linearClassifier(model: LinearModel, labels?: string[], activationOverride?: ScoreActivation): Promise<{ classifier: ModelClassifier; oracles: LinearOracle[] }> {
  const oracles: LinearOracle[] = [];
  const activation: ScoreActivation = activationOverride ?? (model.emits === 'probabilities' || model.emits === 'sigmoid1' ? 'probabilities' : 'logits');
  const classifier = await ModelClassifier.create(
    async (loss) => {
      const o = new LinearOracle(model, loss);
      oracles.push(o);
      return o;
    },
    { output: 'scores', activation, labels },
  );
  return { classifier, oracles };
}

/** Total model evaluations (samples) across the oracles, the probe excluded. */
export function evaluations(oracles: LinearOracle[]): number {
  return oracles.reduce((s, o) => s + o.forwards + o.gradients, 0) - 1;
}

/** A deterministic pseudo-random linear model. */
export function randomLinear(width: number, height: number, classes: number, seed = 1, emits: LinearModel['emits'] = 'logits'): LinearModel {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const size = 3 * width * height;
  return {
    width,
    height,
    weights: Array.from({ length: classes }, () => Float64Array.from({ length: size }, rand)),
    bias: Array.from({ length: classes }, () => rand()),
    emits,
  };
}

/** A batch of constant-ish images with a little structure. */
export function testImages(n: number, width: number, height: number, seed = 3): FloatTensor {
  let s = seed;
  const t = floatTensor([n, 3, height, width]);
  for (let i = 0; i < t.data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    t.data[i] = 0.3 + 0.4 * (s / 2147483648);
  }
  return t;
}
