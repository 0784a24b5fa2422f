import { describe, expect, it } from 'vitest';
import { applyPrinterModel, identityPrinterModel, printerModelBackward, type PixelLayout, type PrinterModel } from '../../../src/engine/color';
import { maxAbsDiff } from '../../helpers/tensors';

/** Deterministic pseudo-random numbers so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const printerLike: PrinterModel = {
  curves: [
    [0, 0.09, 0.2, 0.31, 0.43, 0.56, 0.69, 0.84, 1],
    [0, 0.1, 0.22, 0.34, 0.47, 0.6, 0.73, 0.86, 1],
    [0, 0.06, 0.15, 0.25, 0.37, 0.5, 0.64, 0.81, 1],
  ],
  matrix: [0.82, 0.07, 0.03, 0.05, 0.8, 0.06, 0.02, 0.09, 0.76],
  offset: [0.05, 0.04, 0.07],
};

describe('printer model forward', () => {
  it('identity leaves pixels as they are', () => {
    const random = rng(1);
    const pixels = Float32Array.from({ length: 300 }, random);
    expect(maxAbsDiff(applyPrinterModel(identityPrinterModel(), pixels), pixels)).toBeLessThan(1e-6);
  });

  it('evaluates curve then matrix then offset', () => {
    // R at 0.5 is knot 4 exactly; G at 0.3125 is halfway between knots 2 and 3; B at 1 is the last knot.
    const out = applyPrinterModel(printerLike, Float32Array.of(0.5, 0.3125, 1));
    const v = [0.43, (0.22 + 0.34) / 2, 1];
    for (let j = 0; j < 3; j++) {
      const expected = printerLike.matrix[3 * j] * v[0] + printerLike.matrix[3 * j + 1] * v[1] + printerLike.matrix[3 * j + 2] * v[2] + printerLike.offset[j];
      expect(out[j]).toBeCloseTo(expected, 6);
    }
  });

  it('clamps outputs to [0,1]', () => {
    const bright: PrinterModel = { ...printerLike, offset: [0.5, -0.5, 0] };
    const out = applyPrinterModel(bright, Float32Array.of(1, 0, 0.5));
    expect(out[0]).toBe(1);
    expect(out[1]).toBe(0);
  });

  it('planar (NCHW) layout gives the interleaved result, transposed', () => {
    const random = rng(2);
    const batch = 2;
    const plane = 5;
    const planar = Float32Array.from({ length: batch * 3 * plane }, random);
    const interleaved = new Float32Array(planar.length);
    for (let n = 0; n < batch; n++) for (let c = 0; c < 3; c++) for (let q = 0; q < plane; q++) interleaved[3 * (n * plane + q) + c] = planar[n * 3 * plane + c * plane + q];
    const layout: PixelLayout = { layout: 'planar', planeSize: plane };
    const a = applyPrinterModel(printerLike, planar, undefined, layout);
    const b = applyPrinterModel(printerLike, interleaved);
    for (let n = 0; n < batch; n++) for (let c = 0; c < 3; c++) for (let q = 0; q < plane; q++) expect(a[n * 3 * plane + c * plane + q]).toBe(b[3 * (n * plane + q) + c]);
  });
});

describe('printer model backward', () => {
  /** d(sum(gradOut * forward(pixels)))/d(pixels) by central differences, in float64 on the side. */
  function numericGradient(model: PrinterModel, pixels: Float32Array, gradOut: Float32Array, layout: PixelLayout, h = 1e-3): Float64Array {
    const grad = new Float64Array(pixels.length);
    const loss = (p: Float32Array): number => applyPrinterModel(model, p, undefined, layout).reduce((s, v, i) => s + v * gradOut[i], 0);
    for (let i = 0; i < pixels.length; i++) {
      const plus = Float32Array.from(pixels);
      const minus = Float32Array.from(pixels);
      plus[i] += h;
      minus[i] -= h;
      grad[i] = (loss(plus) - loss(minus)) / (2 * h);
    }
    return grad;
  }

  /** Values away from knots (spacing 1/8) so the central difference never straddles a kink. */
  function offKnot(random: () => number, count: number): Float32Array {
    return Float32Array.from({ length: count }, () => (Math.floor(random() * 8) + 0.2 + 0.6 * random()) / 8);
  }

  for (const layout of [{ layout: 'interleaved' }, { layout: 'planar', planeSize: 4 }] as PixelLayout[]) {
    it(`matches finite differences (${layout.layout})`, () => {
      const random = rng(3);
      const pixels = offKnot(random, 2 * 3 * 4);
      const gradOut = Float32Array.from({ length: pixels.length }, () => random() * 2 - 1);
      const analytic = printerModelBackward(printerLike, pixels, gradOut, undefined, layout);
      const numeric = numericGradient(printerLike, pixels, gradOut, layout);
      expect(maxAbsDiff(analytic, numeric)).toBeLessThan(2e-3);
      expect(Math.max(...analytic.map(Math.abs))).toBeGreaterThan(0.1);
    });
  }

  it('passes no gradient through a clamped output', () => {
    const saturating: PrinterModel = { ...printerLike, offset: [0.6, 0, 0] };
    const pixels = Float32Array.of(0.9, 0.3, 0.3); // R output clamps at 1; G, B do not
    const onlyR = printerModelBackward(saturating, pixels, Float32Array.of(1, 0, 0));
    expect(Array.from(onlyR)).toEqual([0, 0, 0]);
    const onlyG = printerModelBackward(saturating, pixels, Float32Array.of(0, 1, 0));
    expect(Math.abs(onlyG[1])).toBeGreaterThan(0.5);
  });

  it('overwrites a supplied gradient buffer', () => {
    const pixels = Float32Array.of(0.4, 0.4, 0.4);
    const buffer = Float32Array.of(7, 7, 7);
    printerModelBackward(identityPrinterModel(), pixels, Float32Array.of(1, 2, 3), buffer);
    expect(maxAbsDiff(buffer, [1, 2, 3])).toBeLessThan(1e-6);
  });
});
