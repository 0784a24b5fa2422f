import { describe, expect, it } from 'vitest';
import { noiseAndClip } from '../../../src/engine/render/sensor-noise';

function noisyGrey(seed: number, std: number, n = 3 * 256 * 256): { values: Float32Array; clipped: Uint8Array } {
  const values = new Float32Array(n).fill(0.5);
  const clipped = new Uint8Array(n);
  noiseAndClip(values, std, seed, clipped);
  return { values, clipped };
}

function mean(xs: Float32Array): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

describe('sensor noise', () => {
  it('has the requested standard deviation and zero mean', () => {
    const { values } = noisyGrey(7, 0.05);
    const m = mean(values);
    let v = 0;
    for (const x of values) v += (x - m) ** 2;
    expect(m).toBeCloseTo(0.5, 3);
    expect(Math.sqrt(v / values.length)).toBeCloseTo(0.05, 3);
  });

  it('is the same for one seed and uncorrelated between seeds and between neighbouring pixels', () => {
    const a = noisyGrey(1, 0.05).values;
    expect(noisyGrey(1, 0.05).values).toEqual(a);
    const b = noisyGrey(2, 0.05).values;
    let across = 0;
    let along = 0;
    let norm = 0;
    for (let i = 0; i + 1 < a.length; i++) {
      across += (a[i] - 0.5) * (b[i] - 0.5);
      along += (a[i] - 0.5) * (a[i + 1] - 0.5);
      norm += (a[i] - 0.5) ** 2;
    }
    expect(Math.abs(across / norm)).toBeLessThan(0.01);
    expect(Math.abs(along / norm)).toBeLessThan(0.01);
  });

  it('clips to [0, 1] and flags exactly the clipped values', () => {
    const values = new Float32Array([-0.2, 0.3, 1.4, 1]);
    const clipped = new Uint8Array(4);
    noiseAndClip(values, 0, 3, clipped);
    expect([...values]).toEqual([0, Float32Array.from([0.3])[0], 1, 1]);
    expect([...clipped]).toEqual([1, 0, 1, 0]);
  });
});
