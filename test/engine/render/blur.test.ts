import { describe, expect, it } from 'vitest';
import { blurBackward, blurForward, gaussianKernel } from '../../../src/engine/render/blur';
import { randomPlane } from './fixtures';

describe('blur', () => {
  const W = 23;
  const H = 17;
  const x = randomPlane(W, H, 3, 11).data;
  const y = randomPlane(W, H, 3, 12).data;
  const k = gaussianKernel(1.4);

  it('backward is the adjoint of forward (<Bx, y> = <x, Bᵀy>), edges included', () => {
    const bx = blurForward(x, W, H, k);
    const bty = blurBackward(y, W, H, k, [0, 0, W, H]);
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < x.length; i++) {
      lhs += bx[i] * y[i];
      rhs += x[i] * bty[i];
    }
    expect(Math.abs(lhs - rhs) / Math.abs(lhs)).toBeLessThan(1e-5);
  });

  it('restricted to a region, backward gives the full adjoint inside it', () => {
    const full = blurBackward(y, W, H, k, [0, 0, W, H]);
    for (const region of [
      [5, 4, 12, 10],
      [0, 0, 6, 5],
      [18, 12, 23, 17],
    ] as const) {
      const part = blurBackward(y, W, H, k, region);
      for (let c = 0; c < 3; c++) {
        for (let yy = 0; yy < H; yy++) {
          for (let xx = 0; xx < W; xx++) {
            const i = c * W * H + yy * W + xx;
            const inside = xx >= region[0] && xx < region[2] && yy >= region[1] && yy < region[3];
            if (inside) expect(part[i]).toBeCloseTo(full[i], 5);
            else expect(part[i]).toBe(0);
          }
        }
      }
    }
  });

  it('keeps a constant image constant', () => {
    const flat = new Float32Array(W * H * 3).fill(0.4);
    for (const v of blurForward(flat, W, H, k)) expect(v).toBeCloseTo(0.4, 6);
  });
});
