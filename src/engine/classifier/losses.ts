/**
 * Losses on class logits, computed in TypeScript so that every classifier (logits,
 * probabilities or a single sigmoid score), every defence wrapper and every ensemble can
 * evaluate them the same way. Where the model emits logits the classifier adapter maps
 * cross-entropy to the gradient engine's native loss instead (one native run).
 */

export interface LossValue {
  /** Loss per sample, [n]. */
  loss: Float32Array;
  /** d(loss)/d(logits), [n, classes]. */
  grad: Float32Array;
}

interface LossBase {
  /** Loss and its logit gradient for logits [n, classes]. */
  evaluate(logits: Float32Array, classes: number): LossValue;
  /** The same loss for a batch made of these rows of the original batch (may repeat rows). */
  select(rows: readonly number[]): LogitLoss;
}

/** Cross-entropy to `labels`; targeted negates it, so an attack always *ascends* this loss. */
export class CrossEntropyLoss implements LossBase {
  readonly kind = 'ce';
  constructor(
    readonly labels: readonly number[],
    readonly targeted = false,
  ) {}

  evaluate(logits: Float32Array, classes: number): LossValue {
    const n = this.labels.length;
    const loss = new Float32Array(n);
    const grad = new Float32Array(n * classes);
    const sign = this.targeted ? -1 : 1;
    for (let i = 0; i < n; i++) {
      const row = logits.subarray(i * classes, (i + 1) * classes);
      let max = -Infinity;
      for (const v of row) max = Math.max(max, v);
      let sum = 0;
      for (const v of row) sum += Math.exp(v - max);
      const lse = max + Math.log(sum);
      loss[i] = sign * (lse - row[this.labels[i]]);
      for (let c = 0; c < classes; c++) grad[i * classes + c] = sign * (Math.exp(row[c] - lse) - (c === this.labels[i] ? 1 : 0));
    }
    return { loss, grad };
  }

  select(rows: readonly number[]): CrossEntropyLoss {
    return new CrossEntropyLoss(rows.map((r) => this.labels[r]), this.targeted);
  }
}

/**
 * Carlini-Wagner's f6, to *minimise*: untargeted max(Z_y - max_{j != y} Z_j, -kappa) (y the
 * true label), targeted max(max_{j != t} Z_j - Z_t, -kappa). It reaches -kappa once the
 * sample is misclassified (or classified as t) with margin kappa.
 */
export class MarginLoss implements LossBase {
  readonly kind = 'margin';
  constructor(
    readonly labels: readonly number[],
    readonly kappa = 0,
    readonly targeted = false,
  ) {}

  evaluate(logits: Float32Array, classes: number): LossValue {
    const n = this.labels.length;
    const loss = new Float32Array(n);
    const grad = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) {
      const y = this.labels[i];
      let other = -1;
      for (let c = 0; c < classes; c++) if (c !== y && (other < 0 || logits[i * classes + c] > logits[i * classes + other])) other = c;
      const gap = logits[i * classes + y] - logits[i * classes + other];
      const f = this.targeted ? -gap : gap;
      if (f > -this.kappa) {
        loss[i] = f;
        const s = this.targeted ? -1 : 1;
        grad[i * classes + y] = s;
        grad[i * classes + other] = -s;
      } else {
        loss[i] = -this.kappa;
      }
    }
    return { loss, grad };
  }

  select(rows: readonly number[]): MarginLoss {
    return new MarginLoss(rows.map((r) => this.labels[r]), this.kappa, this.targeted);
  }
}

/** sum_c w_c Z_c per sample: with w = e_k - e_j its gradient is that of Z_k - Z_j (DeepFool, JSMA). */
export class LinearLoss implements LossBase {
  readonly kind = 'linear';
  constructor(
    /** [n, classes] */
    readonly weights: Float32Array,
    readonly classes: number,
  ) {}

  evaluate(logits: Float32Array, classes: number): LossValue {
    const n = this.weights.length / this.classes;
    const loss = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < classes; c++) s += this.weights[i * classes + c] * logits[i * classes + c];
      loss[i] = s;
    }
    return { loss, grad: Float32Array.from(this.weights) };
  }

  select(rows: readonly number[]): LinearLoss {
    const out = new Float32Array(rows.length * this.classes);
    rows.forEach((r, i) => out.set(this.weights.subarray(r * this.classes, (r + 1) * this.classes), i * this.classes));
    return new LinearLoss(out, this.classes);
  }
}

/**
 * Croce & Hein's Difference of Logits Ratio, to *ascend*: untargeted -(z_y - max_{i != y} z_i) /
 * (z_pi1 - z_pi3), targeted -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2), with pi the classes by
 * descending logit. Dividing by a spread of the logits makes it invariant to their scale, so a
 * model whose logits are scaled up (a masked gradient's usual disguise) cannot flatten it.
 * With fewer classes than the ratio needs, the denominator is 1 (a plain margin).
 */
export class DlrLoss implements LossBase {
  readonly kind = 'dlr';
  constructor(
    /** The clean label of each sample. */
    readonly labels: readonly number[],
    /** Targeted: the class each sample should become. */
    readonly targets?: readonly number[],
  ) {}

  evaluate(logits: Float32Array, classes: number): LossValue {
    const n = this.labels.length;
    const loss = new Float32Array(n);
    const grad = new Float32Array(n * classes);
    const order = Array.from({ length: classes }, (_, c) => c);
    for (let i = 0; i < n; i++) {
      const z = logits.subarray(i * classes, (i + 1) * classes);
      const y = this.labels[i];
      order.sort((a, b) => z[b] - z[a]);
      const g = grad.subarray(i * classes, (i + 1) * classes);
      // Numerator a = z_y - z_o and its gradient.
      const o = this.targets ? this.targets[i] : order[0] === y ? order[1] : order[0];
      const a = z[y] - z[o];
      // Denominator b and the classes it is made of, with their weights.
      const parts: [number, number][] = this.targets
        ? classes >= 4 ? [[order[0], 1], [order[2], -0.5], [order[3], -0.5]] : []
        : classes >= 3 ? [[order[0], 1], [order[2], -1]] : [];
      let b = parts.length > 0 ? 1e-12 : 1;
      for (const [c, w] of parts) b += w * z[c];
      loss[i] = -a / b;
      g[y] += -1 / b;
      g[o] += 1 / b;
      for (const [c, w] of parts) g[c] += (a / (b * b)) * w;
    }
    return { loss, grad };
  }

  select(rows: readonly number[]): DlrLoss {
    return new DlrLoss(rows.map((r) => this.labels[r]), this.targets && rows.map((r) => this.targets![r]));
  }
}

export type LogitLoss = CrossEntropyLoss | MarginLoss | LinearLoss | DlrLoss;
