import { describe, expect, it } from 'vitest';
import { applyPrinterModel, defaultPalette, fitPrinterModel } from '../../../src/engine/color';
import { monotone } from '../../../src/engine/color/fit-printer-model';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A printer+camera that is not in the model family: gamma tone curves, then cross-talk, then an offset. */
function distort(rgb: Float32Array): Float32Array {
  const gamma = [1.35, 1.15, 1.5];
  const m = [0.8, 0.08, 0.04, 0.06, 0.78, 0.07, 0.03, 0.1, 0.72];
  const out = new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    const v = [0, 1, 2].map((c) => rgb[i + c] ** gamma[c]);
    for (let j = 0; j < 3; j++) out[i + j] = Math.min(1, Math.max(0, m[3 * j] * v[0] + m[3 * j + 1] * v[1] + m[3 * j + 2] * v[2] + 0.06 + 0.01 * j));
  }
  return out;
}

function meanAbs255(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return (s / a.length) * 255;
}

describe('fitPrinterModel', () => {
  it('recovers a gamma + cross-talk printer from the default palette within 1.5/255 on unseen colours', () => {
    const random = rng(11);
    const intended = defaultPalette().colors;
    const measured = distort(intended).map((v) => v + gaussian(random) / 255);
    const fit = fitPrinterModel(intended, measured);
    expect(fit.meanError).toBeLessThan(2); // residual ≈ the 1/255 noise
    // Colours between the palette's: random points, judged against the noiseless truth.
    const unseen = Float32Array.from({ length: 3 * 500 }, random);
    expect(meanAbs255(applyPrinterModel(fit.model, unseen), distort(unseen))).toBeLessThan(1.5);
    for (const curve of fit.model.curves) {
      expect(curve[0]).toBe(0);
      expect(curve[curve.length - 1]).toBe(1);
      curve.forEach((v, k) => k > 0 && expect(v).toBeGreaterThanOrEqual(curve[k - 1]));
    }
  });

  it('with two knots it is an exact matrix + offset fit', () => {
    const random = rng(12);
    const intended = Float32Array.from({ length: 3 * 40 }, random);
    const m = [0.85, 0.1, 0, -0.02, 0.9, 0.02, 0.03, 0.04, 0.8]; // outputs stay inside [0,1]
    const measured = new Float32Array(intended.length);
    for (let i = 0; i < intended.length; i += 3) for (let j = 0; j < 3; j++) measured[i + j] = 0.02 + m[3 * j] * intended[i] + m[3 * j + 1] * intended[i + 1] + m[3 * j + 2] * intended[i + 2];
    const fit = fitPrinterModel(intended, measured, { knots: 2 });
    fit.model.matrix.forEach((v, i) => expect(v).toBeCloseTo(m[i], 5));
    fit.model.offset.forEach((v) => expect(v).toBeCloseTo(0.02, 5));
    expect(fit.maxError).toBeLessThan(1e-3);
  });

  it('rejects mismatched or too few pairs', () => {
    expect(() => fitPrinterModel([0.1, 0.2, 0.3], [0.1, 0.2])).toThrow(/intended vs/);
    expect(() => fitPrinterModel([0.1, 0.2, 0.3], [0.1, 0.2, 0.3])).toThrow(/at least 4/);
  });
});

describe('monotone', () => {
  it('is the least-squares non-decreasing fit in [0,1]', () => {
    expect(monotone([0, 0.3, 0.2, 0.5, 1])).toEqual([0, 0.25, 0.25, 0.5, 1]);
    expect(monotone([0, -0.1, 0.4, 1.2])).toEqual([0, 0, 0.4, 1]);
  });
});
