import { Matrix, solve } from 'ml-matrix';
import { applyPrinterModel, DEFAULT_KNOTS, identityPrinterModel, type PrinterModel } from './printer-model';

export interface PrinterModelFit {
  model: PrinterModel;
  /** Mean |fitted - measured| over all samples and channels, in 1/255 units. */
  meanError: number;
  /** Largest |fitted - measured| over all samples and channels, in 1/255 units. */
  maxError: number;
  /** Per sample: mean |fitted - measured| over its three channels, in 1/255 units. */
  sampleErrors: number[];
}

export interface FitOptions {
  /** Knots per tone curve (>= 2; 2 makes the model a pure matrix + offset). */
  knots?: number;
  /** Weight of the curvature penalty that keeps curves smooth where few samples fall. */
  smoothness?: number;
  /** Alternating least-squares rounds (each: curves given the matrix, then the matrix given the curves). */
  iterations?: number;
}

/**
 * Fits a printer model to (intended, measured) colour pairs, both RGB in [0,1], interleaved.
 * Given the curves the matrix and offset are linear least squares; given the matrix and offset
 * the curve knots are linear least squares too (plus a curvature penalty), then projected onto
 * non-decreasing values. Alternating the two converges in a few dozen rounds.
 */
export function fitPrinterModel(intended: ArrayLike<number>, measured: ArrayLike<number>, options: FitOptions = {}): PrinterModelFit {
  const knots = options.knots ?? DEFAULT_KNOTS;
  const smoothness = options.smoothness ?? 0.005;
  const iterations = options.iterations ?? 40;
  if (intended.length !== measured.length || intended.length % 3 !== 0) throw new Error(`fitPrinterModel: ${intended.length} intended vs ${measured.length} measured values`);
  const n = intended.length / 3;
  if (n < 4) throw new Error(`fitPrinterModel: need at least 4 colour pairs, got ${n}`);
  const x = Float64Array.from(intended, (v) => Math.min(1, Math.max(0, v)));
  const y = Float64Array.from(measured);

  const model = identityPrinterModel(knots);
  fitAffine(model, x, y, n);
  if (knots > 2) {
    for (let round = 0; round < iterations; round++) {
      fitCurves(model, x, y, n, smoothness);
      fitAffine(model, x, y, n);
    }
  }
  return { model, ...fitErrors(model, intended, measured) };
}

export function fitErrors(model: PrinterModel, intended: ArrayLike<number>, measured: ArrayLike<number>): Omit<PrinterModelFit, 'model'> {
  const predicted = applyPrinterModel(model, Float32Array.from(intended));
  const sampleErrors: number[] = [];
  let sum = 0;
  let max = 0;
  for (let i = 0; i < predicted.length; i += 3) {
    let sample = 0;
    for (let c = 0; c < 3; c++) {
      const e = Math.abs(predicted[i + c] - measured[i + c]) * 255;
      sample += e;
      max = Math.max(max, e);
    }
    sum += sample;
    sampleErrors.push(sample / 3);
  }
  return { meanError: sum / predicted.length, maxError: max, sampleErrors };
}

/** Weights of the piecewise-linear basis at x: knot `seg` gets 1-t, knot `seg+1` gets t. */
function basis(x: number, knots: number): { seg: number; t: number } {
  const u = x * (knots - 1);
  const seg = Math.min(Math.floor(u), knots - 2);
  return { seg, t: u - seg };
}

function curveValue(curve: number[], x: number): number {
  const { seg, t } = basis(x, curve.length);
  return curve[seg] + t * (curve[seg + 1] - curve[seg]);
}

/** measured ≈ M · curve(intended) + b, solved per output channel. */
function fitAffine(model: PrinterModel, x: Float64Array, y: Float64Array, n: number): void {
  const features = new Matrix(n, 4);
  const targets = new Matrix(n, 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      features.set(i, c, curveValue(model.curves[c], x[3 * i + c]));
      targets.set(i, c, y[3 * i + c]);
    }
    features.set(i, 3, 1);
  }
  const w = solve(features, targets); // 4 x 3
  for (let j = 0; j < 3; j++) {
    for (let c = 0; c < 3; c++) model.matrix[3 * j + c] = w.get(c, j);
    model.offset[j] = w.get(3, j);
  }
}

/** The interior knots of all three curves at once (the end knots stay pinned at 0 and 1). */
function fitCurves(model: PrinterModel, x: Float64Array, y: Float64Array, n: number, smoothness: number): void {
  const knots = model.curves[0].length;
  const inner = knots - 2;
  const unknowns = 3 * inner;
  const col = (c: number, k: number): number => c * inner + (k - 1);
  const curvatureRows = 3 * inner;
  const a = new Matrix(3 * n + curvatureRows, unknowns);
  const rhs = new Matrix(3 * n + curvatureRows, 1);
  const m = model.matrix;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) {
      const row = 3 * i + j;
      let target = y[3 * i + j] - model.offset[j];
      for (let c = 0; c < 3; c++) {
        const { seg, t } = basis(x[3 * i + c], knots);
        const weights: [number, number][] = [
          [seg, 1 - t],
          [seg + 1, t],
        ];
        for (const [k, w] of weights) {
          const coefficient = m[3 * j + c] * w;
          if (k === 0) continue; // pinned at 0
          if (k === knots - 1) target -= coefficient; // pinned at 1
          else a.set(row, col(c, k), a.get(row, col(c, k)) + coefficient);
        }
      }
      rhs.set(row, 0, target);
    }
  }
  // Second differences v[k-1] - 2 v[k] + v[k+1] pulled toward 0, scaled with the sample count so
  // the penalty's weight does not depend on how many swatches the chart has.
  const weight = Math.sqrt(smoothness * n);
  for (let c = 0; c < 3; c++) {
    for (let k = 1; k <= inner; k++) {
      const row = 3 * n + c * inner + (k - 1);
      let target = 0;
      for (const [kk, w] of [
        [k - 1, 1],
        [k, -2],
        [k + 1, 1],
      ] as const) {
        if (kk === 0) continue;
        if (kk === knots - 1) target -= weight * w;
        else a.set(row, col(c, kk), weight * w);
      }
      rhs.set(row, 0, target);
    }
  }
  const v = solve(a, rhs);
  for (let c = 0; c < 3; c++) {
    const curve = [0];
    for (let k = 1; k <= inner; k++) curve.push(v.get(col(c, k), 0));
    curve.push(1);
    model.curves[c] = monotone(curve);
  }
}

/** Least-squares projection onto non-decreasing sequences in [0,1] (pool adjacent violators). */
export function monotone(values: number[]): number[] {
  const blocks: { sum: number; count: number }[] = [];
  for (const v of values) {
    blocks.push({ sum: Math.min(1, Math.max(0, v)), count: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1];
      const prev = blocks[blocks.length - 2];
      if (prev.sum / prev.count <= last.sum / last.count) break;
      prev.sum += last.sum;
      prev.count += last.count;
      blocks.pop();
    }
  }
  return blocks.flatMap((b) => Array<number>(b.count).fill(b.sum / b.count));
}
