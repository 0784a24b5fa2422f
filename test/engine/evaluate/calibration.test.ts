import { describe, expect, it } from 'vitest';
import { pairScores, rateAtOrAbove, thresholdForFmr } from '../../../src/engine/evaluate/calibration';

describe('match-threshold calibration', () => {
  it('splits the upper triangle into impostor and genuine pairs', () => {
    const s = [
      [1, 0.2, 0.9],
      [0.2, 1, 0.4],
      [0.9, 0.4, 1],
    ];
    expect(pairScores(s, (i, j) => (i === 0 && j === 2) || (i === 2 && j === 0))).toEqual({ impostor: [0.2, 0.4], genuine: [0.9] });
  });

  it('puts the threshold just above all but floor(FMR · n) impostor scores', () => {
    const impostor = Array.from({ length: 200 }, (_, i) => i / 200); // 0 .. 0.995
    const t = thresholdForFmr(impostor, 0.01);
    // Two of 200 pairs (0.99, 0.995) may match; 0.985 must not.
    expect(t.resolved).toBe(true);
    expect(rateAtOrAbove(impostor, t.empirical)).toBe(0.01);
    expect(t.empirical).toBeGreaterThan(0.985);
    expect(t.empirical).toBeLessThan(0.99);
  });

  it('says when there are too few pairs to resolve the rate, and extrapolates with a normal fit', () => {
    const impostor = [0.3, 0.4, 0.5, 0.4, 0.4];
    const t = thresholdForFmr(impostor, 0.001);
    expect(t.resolved).toBe(false);
    expect(rateAtOrAbove(impostor, t.empirical)).toBe(0);
    // mean 0.4, sample sd sqrt(0.02/4) = 0.0707; z(0.1%) = 3.09.
    expect(t.normalFit).toBeCloseTo(0.4 + 3.0902 * Math.sqrt(0.005), 4);
    expect(() => thresholdForFmr(impostor, 0.02)).toThrow(/no normal quantile tabulated for FMR 0.02/);
  });
});
