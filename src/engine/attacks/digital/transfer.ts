import { BilinearResampler } from '../../image/resample';
import { floatTensor, type FloatTensor } from '../../tensor/tensor';
import { argmaxRows } from '../../classifier/batch';
import type { ClassifierOracle } from '../../classifier/classifier';
import { type AttackInput, type AttackOutput, goalFlags } from './goal';

export interface TransferInput {
  surrogate: ClassifierOracle;
  target: ClassifierOracle;
  /** Clean pixels at the surrogate's input size. */
  x0: FloatTensor;
  /** Targeted transfer: classes by index, valid for both models (same label set). */
  targets?: readonly number[];
  /** Any white-box attack, run on the surrogate only. */
  craft: (input: AttackInput) => Promise<AttackOutput>;
}

export interface TransferOutput extends AttackOutput {
  surrogateLabels: number[];
  targetLabels: number[];
  surrogateSuccess: boolean[];
  targetSuccess: boolean[];
  /** The target model is only queried to score the result: clean and adversarial, once each. */
  targetQueries: number[];
}

/**
 * Black-box transfer: craft adversarial examples with full gradient access to a surrogate
 * model, then hand them to the target model, which is never differentiated. Here the
 * examples are resampled to the target's input size in memory; the image runner instead goes
 * through written 8-bit PNGs and the target's own preprocessing.
 */
export async function transferAttack(input: TransferInput): Promise<TransferOutput> {
  const { surrogate, target, x0 } = input;
  const n = x0.dims[0];
  const surrogateLabels = argmaxRows((await surrogate.logits(x0)).data, surrogate.classes);
  const crafted = await input.craft({ classifier: surrogate, x0, labels: surrogateLabels, targets: input.targets });
  const rows = Array.from({ length: n }, (_, s) => s);
  const surrogateSuccess = goalFlags({ labels: surrogateLabels, targets: input.targets }, await surrogate.logits(crafted.adversarial), rows);
  const toTarget = (t: FloatTensor): FloatTensor => resampleBatch(t, target.width, target.height);
  const targetLabels = argmaxRows((await target.logits(toTarget(x0))).data, target.classes);
  const targetSuccess = goalFlags({ labels: targetLabels, targets: input.targets }, await target.logits(toTarget(crafted.adversarial)), rows);
  return {
    ...crafted,
    queries: crafted.queries.map((q) => q + 2),
    surrogateLabels,
    targetLabels,
    surrogateSuccess,
    targetSuccess,
    targetQueries: new Array(n).fill(2),
  };
}

/** Bilinear resize of every plane of an NCHW batch. */
export function resampleBatch(t: FloatTensor, width: number, height: number): FloatTensor {
  const [n, c, h, w] = t.dims;
  if (w === width && h === height) return t;
  const op = new BilinearResampler(w, h, width, height);
  const out = floatTensor([n, c, height, width]);
  for (let p = 0; p < n * c; p++) op.forward(t.data, p * h * w, out.data, p * height * width);
  return out;
}
