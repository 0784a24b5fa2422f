import type { GradientOracle, LossArgs, LossSpec } from '../autodiff/oracle';
import { floatTensor, type FloatTensor } from '../tensor/tensor';
import type { LogitLoss } from './losses';

/**
 * What every digital attack and every defence sees: a classifier in pixel space (NCHW RGB in
 * [0,1] at the model's input size) that returns class *logits* (log-probabilities where the
 * model emits probabilities; [-z/2, z/2] for a single sigmoid logit z) and the pixel gradient of any
 * loss on those logits. Defences wrap one ClassifierOracle into another, so attacks run
 * through them unchanged.
 */
export interface ClassifierOracle {
  readonly width: number;
  readonly height: number;
  readonly classes: number;
  labelOf(index: number): string;
  /** Logits [N, classes]. Randomised defences draw fresh randomness per sample per call. */
  logits(pixels: FloatTensor): Promise<FloatTensor>;
  /** Loss per sample, the logits it was computed from, and d(loss)/d(pixels), all from one input draw. */
  gradient(pixels: FloatTensor, loss: LogitLoss): Promise<ClassifierGradient>;
  dispose(): Promise<void>;
}

export interface ClassifierGradient {
  loss: Float32Array;
  logits: FloatTensor;
  grad: FloatTensor;
}

/** Builds (or returns a cached) gradient oracle of one model for one loss. */
export type OracleFactory = (loss: LossSpec) => Promise<GradientOracle>;

export type ScoreActivation = 'logits' | 'probabilities' | 'sigmoid';

/** Which model output holds the class scores and what they are. */
export interface ScoreHead {
  output: string;
  activation: ScoreActivation | 'auto';
  labels?: readonly string[];
}

/**
 * A classifier with a single score (e.g. a sigmoid "real face" probability) read as two
 * classes: index 1 is the class the score measures, index 0 its complement.
 */
export function binaryLabels(labels: readonly string[] | undefined): [string, string] {
  if (labels?.length === 2) return [labels[0], labels[1]];
  if (labels?.length === 1) return [`not ${labels[0]}`, labels[0]];
  return ['0', '1'];
}

/** Below this a probability is treated as this, so log and 1/p stay finite. */
const TINY = 1e-30;

/**
 * Adapts a model's gradient oracles to a ClassifierOracle, choosing per loss the cheapest
 * exact route: native cross-entropy on logits, the probability of the label for
 * cross-entropy on probability outputs, the single score for binary models (one native run
 * each), or forward + vector-Jacobian product otherwise.
 */
export class ModelClassifier implements ClassifierOracle {
  private readonly cache = new Map<string, Promise<GradientOracle>>();

  private constructor(
    private readonly factory: OracleFactory,
    private readonly head: ScoreHead & { activation: ScoreActivation },
    /** Raw scores per sample: 1 for a single sigmoid/probability score. */
    private readonly rawClasses: number,
    readonly width: number,
    readonly height: number,
  ) {}

  /** Probes the model once (a grey image) to learn the number of classes and resolve `auto`. */
  static async create(factory: OracleFactory, head: ScoreHead): Promise<ModelClassifier> {
    const probe = await factory({ kind: 'vjp', outputs: [head.output] });
    const grey = floatTensor([1, 3, probe.height, probe.width], new Float32Array(3 * probe.height * probe.width).fill(0.5));
    const raw = outputOf(await probe.forward(grey), head.output);
    const rawClasses = raw.data.length / (raw.dims[0] ?? 1);
    const activation = head.activation === 'auto' ? guessActivation(raw.data, rawClasses) : head.activation;
    return new ModelClassifier(factory, { ...head, activation }, rawClasses, probe.width, probe.height);
  }

  get classes(): number {
    return this.rawClasses === 1 ? 2 : this.rawClasses;
  }

  get activation(): ScoreActivation {
    return this.head.activation;
  }

  labelOf(index: number): string {
    if (this.rawClasses === 1) return binaryLabels(this.head.labels)[index];
    return this.head.labels?.[index] ?? String(index);
  }

  async logits(pixels: FloatTensor): Promise<FloatTensor> {
    const oracle = await this.oracle({ kind: 'vjp', outputs: [this.head.output] });
    return this.toLogits(outputOf(await oracle.forward(pixels), this.head.output));
  }

  async gradient(pixels: FloatTensor, loss: LogitLoss): Promise<ClassifierGradient> {
    const output = this.head.output;
    const n = pixels.dims[0];
    if (this.rawClasses === 1) {
      // One run gives the score and its gradient; any loss of the two logits is a function of it.
      const r = await (await this.oracle({ kind: 'logit', output })).gradient(pixels, { labels: new Array(n).fill(0) });
      const raw = outputOf(r.outputs, output);
      const logits = this.toLogits(raw);
      const value = loss.evaluate(logits.data, 2);
      const scale = this.rawGradient(raw, value.grad);
      return { loss: value.loss, logits, grad: scaleSamples(r.grad, scale) };
    }
    if (loss.kind === 'ce' && this.head.activation !== 'probabilities') {
      const r = await (await this.oracle({ kind: 'ce', output, targeted: loss.targeted })).gradient(pixels, { labels: [...loss.labels] });
      return { loss: Float32Array.from(r.loss), logits: this.toLogits(outputOf(r.outputs, output)), grad: copy(r.grad) };
    }
    if (loss.kind === 'ce') {
      // d(-log p_y) = -dp_y / p_y: the probability's own gradient, rescaled, in one run.
      const r = await (await this.oracle({ kind: 'logit', output })).gradient(pixels, { labels: [...loss.labels] });
      const raw = outputOf(r.outputs, output);
      const sign = loss.targeted ? 1 : -1;
      const scale = new Float32Array(n);
      const value = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const p = Math.max(TINY, raw.data[i * this.rawClasses + loss.labels[i]]);
        // Untargeted: CE = -log p_y; targeted: the negated CE, log p_t.
        scale[i] = sign / p;
        value[i] = sign * Math.log(p);
      }
      return { loss: value, logits: this.toLogits(raw), grad: scaleSamples(r.grad, scale) };
    }
    const vjp = await this.oracle({ kind: 'vjp', outputs: [output] });
    if (loss.kind === 'linear' && this.head.activation !== 'probabilities') {
      const r = await vjp.gradient(pixels, { outputGrads: { [output]: floatTensor([n, this.rawClasses], Float32Array.from(loss.weights)) } });
      const logits = this.toLogits(outputOf(r.outputs, output));
      return { loss: loss.evaluate(logits.data, this.classes).loss, logits, grad: copy(r.grad) };
    }
    const raw = outputOf(await vjp.forward(pixels), output);
    const logits = this.toLogits(raw);
    const value = loss.evaluate(logits.data, this.classes);
    const args: LossArgs = { outputGrads: { [output]: floatTensor(raw.dims, this.rawGradient(raw, value.grad)) } };
    const r = await vjp.gradient(pixels, args);
    return { loss: value.loss, logits, grad: copy(r.grad) };
  }

  async dispose(): Promise<void> {
    for (const oracle of this.cache.values()) await (await oracle).dispose();
    this.cache.clear();
  }

  private oracle(loss: LossSpec): Promise<GradientOracle> {
    const key = JSON.stringify(loss);
    let found = this.cache.get(key);
    if (!found) {
      found = this.factory(loss);
      this.cache.set(key, found);
    }
    return found;
  }

  private toLogits(raw: FloatTensor): FloatTensor {
    const n = raw.data.length / this.rawClasses;
    const c = this.classes;
    const out = new Float32Array(n * c);
    for (let i = 0; i < n; i++) {
      if (this.rawClasses === 1) {
        const v = raw.data[i];
        if (this.head.activation === 'probabilities') {
          out[i * 2] = Math.log(Math.max(TINY, 1 - v));
          out[i * 2 + 1] = Math.log(Math.max(TINY, v));
        } else {
          // [-z/2, z/2] rather than [0, z]: the same softmax, and both logits move (JSMA needs that).
          out[i * 2] = -v / 2;
          out[i * 2 + 1] = v / 2;
        }
        continue;
      }
      for (let k = 0; k < c; k++) {
        const v = raw.data[i * c + k];
        out[i * c + k] = this.head.activation === 'probabilities' ? Math.log(Math.max(TINY, v)) : v;
      }
    }
    return floatTensor([n, c], out);
  }

  /** Chains d(loss)/d(logits) to d(loss)/d(raw scores). */
  private rawGradient(raw: FloatTensor, dLogits: Float32Array): Float32Array {
    const out = new Float32Array(raw.data.length);
    const probs = this.head.activation === 'probabilities';
    for (let i = 0; i < raw.data.length; i++) {
      const v = raw.data[i];
      if (this.rawClasses === 1) {
        out[i] = probs ? -dLogits[i * 2] / Math.max(TINY, 1 - v) + dLogits[i * 2 + 1] / Math.max(TINY, v) : (dLogits[i * 2 + 1] - dLogits[i * 2]) / 2;
      } else {
        out[i] = probs ? dLogits[i] / Math.max(TINY, v) : dLogits[i];
      }
    }
    return out;
  }
}

function guessActivation(raw: Float32Array, classes: number): ScoreActivation {
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    if (raw[c] < 0 || raw[c] > 1) return classes === 1 ? 'sigmoid' : 'logits';
    sum += raw[c];
  }
  return classes === 1 || Math.abs(sum - 1) < 1e-3 ? 'probabilities' : 'logits';
}

function outputOf(outputs: Record<string, FloatTensor>, name: string): FloatTensor {
  const found = outputs[name];
  if (!found) throw new Error(`the gradient oracle returned no output '${name}' (got ${Object.keys(outputs).join(', ')})`);
  return found;
}

function copy(t: FloatTensor): FloatTensor {
  return floatTensor(t.dims, Float32Array.from(t.data));
}

function scaleSamples(t: FloatTensor, scale: Float32Array): FloatTensor {
  const out = copy(t);
  const size = t.data.length / scale.length;
  for (let i = 0; i < out.data.length; i++) out.data[i] *= scale[Math.floor(i / size)];
  return out;
}
