import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/engine/random';
import { BitDepthReduction } from '../../../src/engine/defences/bit-depth';
import { JpegCompression } from '../../../src/engine/defences/jpeg';
import { MedianSmoothing } from '../../../src/engine/defences/median';
import { RandomResizePad } from '../../../src/engine/defences/random-resize';
import { applyChain, type PixelTransform } from '../../../src/engine/defences/transform';
import { floatTensor, type FloatTensor } from '../../../src/engine/tensor/tensor';
import { testImages } from '../../helpers/linear-oracle';

function dot(a: FloatTensor, b: FloatTensor): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
  return s;
}

function random(dims: number[], seed: number): FloatTensor {
  const rng = new Rng(seed);
  return floatTensor(dims, Float32Array.from({ length: dims.reduce((a, b) => a * b) }, () => rng.next()));
}

describe('random resize + pad (Xie et al.)', () => {
  it('shrinks each sample by its own draw, pads, and its backward pass is the exact adjoint of that draw', async () => {
    const t = new RandomResizePad({ minScale: 0.7, pad: 0 });
    const x = random([3, 3, 20, 24], 1);
    const step = await t.apply(x, new Rng(5));
    expect(step.output.dims).toEqual([3, 3, 20, 24]);
    // Padding is exactly zero somewhere in every sample, never the whole sample.
    for (let s = 0; s < 3; s++) {
      const sample = step.output.data.subarray(s * 1440, (s + 1) * 1440);
      const zeros = sample.filter((v) => v === 0).length;
      expect(zeros).toBeGreaterThan(0);
      expect(zeros).toBeLessThan(1440 * 0.6);
    }
    const y = random([3, 3, 20, 24], 2);
    expect(dot(step.output, y)).toBeCloseTo(dot(x, step.backward(y)), 3);
    // Same seed, same draws.
    const again = await t.apply(x, new Rng(5));
    expect(Array.from(again.output.data)).toEqual(Array.from(step.output.data));
  });

  it('keeps a constant image constant inside the placed region (a partition of unity)', async () => {
    const x = floatTensor([1, 3, 16, 16], new Float32Array(768).fill(0.4));
    const step = await new RandomResizePad({ minScale: 0.8, pad: 0 }).apply(x, new Rng(3));
    const values = new Set(Array.from(step.output.data, (v) => v.toFixed(5)));
    expect([...values].sort()).toEqual(['0.00000', '0.40000']);
  });
});

describe('feature squeezing and JPEG', () => {
  it('bit-depth reduction quantises to 2^bits levels and passes gradients straight through (BPDA)', async () => {
    const x = random([1, 3, 4, 4], 3);
    const step = await new BitDepthReduction(2).apply(x);
    for (const v of step.output.data) expect([0, 1 / 3, 2 / 3, 1].some((l) => Math.abs(v - l) < 1e-6)).toBe(true);
    const g = random([1, 3, 4, 4], 4);
    expect(step.backward(g)).toBe(g);
  });

  it('without BPDA a non-differentiable step has its true gradient, zero: the naive attack sees nothing', async () => {
    const x = random([1, 3, 4, 4], 3);
    const g = random([1, 3, 4, 4], 4);
    const masked = await applyChain([new BitDepthReduction(3)], x, new Rng(0), { bpda: false });
    expect(Array.from(masked.backward(g).data).every((v) => v === 0)).toBe(true);
    const bpda = await applyChain([new BitDepthReduction(3)], x, new Rng(0));
    expect(Array.from(bpda.backward(g).data)).toEqual(Array.from(g.data));
  });

  it('JPEG keeps a smooth image at high quality and damages high-frequency noise at low quality', async () => {
    const smooth = floatTensor([1, 3, 16, 16], Float32Array.from({ length: 768 }, (_, i) => 0.3 + 0.4 * ((i % 16) / 15)));
    const hi = await new JpegCompression(95).apply(smooth);
    expect(Math.max(...hi.output.data.map((v, i) => Math.abs(v - smooth.data[i])))).toBeLessThan(0.03);
    const noisy = random([1, 3, 16, 16], 6);
    const lo = await new JpegCompression(10).apply(noisy);
    const err = lo.output.data.reduce((a, v, i) => a + Math.abs(v - noisy.data[i]), 0) / 768;
    expect(err).toBeGreaterThan(0.1);
  });

  it('median smoothing removes an isolated outlier and its gradient matches finite differences', async () => {
    const x = floatTensor([1, 1, 5, 5], Float32Array.from({ length: 25 }, (_, i) => 0.2 + 0.01 * i));
    x.data[12] = 1;
    const m = new MedianSmoothing(3);
    const step = await m.apply(x);
    expect(step.output.data[12]).toBeLessThan(0.5);
    const y = random([1, 1, 5, 5], 8);
    const g = step.backward(y);
    const h = 1e-3;
    for (const k of [0, 6, 12, 13, 24]) {
      const plus = floatTensor(x.dims, Float32Array.from(x.data));
      const minus = floatTensor(x.dims, Float32Array.from(x.data));
      plus.data[k] += h;
      minus.data[k] -= h;
      const fd = (dot((await m.apply(plus)).output, y) - dot((await m.apply(minus)).output, y)) / (2 * h);
      expect(g.data[k]).toBeCloseTo(fd, 3);
    }
  });

  it('chains transforms in order and composes their backward maps', async () => {
    const x = random([2, 3, 12, 12], 9);
    const transforms: PixelTransform[] = [new RandomResizePad({ minScale: 0.8, pad: 0 }), new MedianSmoothing(3)];
    const step = await applyChain(transforms, x, new Rng(1));
    const first = await transforms[0].apply(x, new Rng(1));
    const second = await transforms[1].apply(first.output, new Rng(0));
    expect(Array.from(step.output.data)).toEqual(Array.from(second.output.data));
    const y = random([2, 3, 12, 12], 10);
    expect(Array.from(step.backward(y).data)).toEqual(Array.from(first.backward(second.backward(y)).data));
  });
});

describe('testImages helper', () => {
  it('stays in the open unit interval', () => {
    const t = testImages(2, 3, 3);
    expect(Math.min(...t.data)).toBeGreaterThan(0.29);
  });
});
