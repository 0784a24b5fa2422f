import type { FloatTensor } from '../../tensor/tensor';
import type { ClassifierOracle } from '../../classifier/classifier';

/** What a digital attack gets: the classifier (possibly defended), clean pixels and labels. */
export interface AttackInput {
  classifier: ClassifierOracle;
  /** Clean pixels [N, 3, H, W] in [0, 1] at the classifier's input size. */
  x0: FloatTensor;
  /** The class each clean sample is predicted as; untargeted attacks move away from it. */
  labels: readonly number[];
  /** Targeted attacks: the class each sample should become. */
  targets?: readonly number[];
  /**
   * Other clean images at the same size (e.g. the rest of the run), which decision-based
   * attacks may start from when noise is never misclassified.
   */
  pool?: FloatTensor;
}

/** What every attack returns, per sample. */
export interface AttackOutput {
  adversarial: FloatTensor;
  /** Model evaluations spent per sample (forward or forward+gradient, each counted once). */
  queries: number[];
  /** Attack-specific per-sample numbers (e.g. DeepFool's L2, C&W's constant). */
  extras?: Record<string, number[]>;
}

/** Did sample i reach the goal, judging by its logits row? */
export function reachedGoal(input: Pick<AttackInput, 'labels' | 'targets'>, i: number, row: ArrayLike<number>): boolean {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
  return input.targets ? best === input.targets[i] : best !== input.labels[i];
}

/** Per-sample goal flags for a [n, classes] logits batch whose rows are samples `rows` of the input. */
export function goalFlags(input: Pick<AttackInput, 'labels' | 'targets'>, logits: FloatTensor, rows: readonly number[]): boolean[] {
  const c = logits.dims[1];
  return rows.map((r, k) => reachedGoal(input, r, logits.data.subarray(k * c, (k + 1) * c)));
}

/** Labels an attack should ascend cross-entropy on: the target (targeted) or the label. */
export function lossLabels(input: Pick<AttackInput, 'labels' | 'targets'>): number[] {
  return [...(input.targets ?? input.labels)];
}
