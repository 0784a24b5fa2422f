import { describe, expect, it } from 'vitest';
import { Compositor, type PatchColourModel } from '../../../src/engine/render/compositor';
import { blurForward, gaussianKernel } from '../../../src/engine/render/blur';
import { IDENTITY_VIEW, type ViewParams } from '../../../src/engine/render/eot';
import { maxAbsDiff } from '../../helpers/tensors';
import { rectQuad } from '../../../src/shared/homography';
import type { PrinterModel } from '../../../src/engine/color/index';
import { printerColourModel } from '../../../src/engine/render/printer';
import { makePlane, type Plane } from '../../../src/engine/render/texture';
import { discMask, randomPlane, squareQuad } from './fixtures';
import { gradientCheck } from './gradcheck';

const W = 48;
const H = 40;
const scene = randomPlane(W, H, 3, 1, 0.25, 0.75);
const texture = randomPlane(16, 16, 3, 2);
const mask = discMask(16);

function view(over: Partial<ViewParams>): ViewParams {
  return { ...IDENTITY_VIEW, ...over };
}

/** A printer colour model for the check: a 3x3 matrix plus offset. */
const matrixModel: PatchColourModel = {
  forward(t: Plane) {
    const out = makePlane(t.width, t.height, 3);
    const n = t.width * t.height;
    const m = [0.9, 0.05, 0.02, 0.03, 0.85, 0.04, 0.01, 0.06, 0.8];
    for (let p = 0; p < n; p++) for (let r = 0; r < 3; r++) out.data[r * n + p] = 0.05 + m[r * 3] * t.data[p] + m[r * 3 + 1] * t.data[n + p] + m[r * 3 + 2] * t.data[2 * n + p];
    return out;
  },
  backward(t: Plane, g: Float32Array) {
    const out = new Float32Array(g.length);
    const n = t.width * t.height;
    const m = [0.9, 0.05, 0.02, 0.03, 0.85, 0.04, 0.01, 0.06, 0.8];
    for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) out[c * n + p] = m[c] * g[p] + m[3 + c] * g[n + p] + m[6 + c] * g[2 * n + p];
    return out;
  },
};

describe('compositor', () => {
  it('draws the texture exactly on an axis-aligned quad of the same size', () => {
    const square = makePlane(16, 16, 1, new Float32Array(256).fill(1));
    const c = new Compositor(square);
    const out = c.render(texture, [{ scene, quads: [rectQuad(10, 8, 26, 24)], view: IDENTITY_VIEW, noiseSeed: 0 }]);
    const plane = W * H;
    for (const [x, y] of [
      [10, 8],
      [17, 15],
      [25, 23],
    ]) {
      for (let ch = 0; ch < 3; ch++) expect(out.pixels.data[ch * plane + y * W + x]).toBeCloseTo(texture.data[ch * 256 + (y - 8) * 16 + (x - 10)], 5);
    }
    // Outside the quad the scene is untouched.
    expect(out.pixels.data[3 * W + 3]).toBe(scene.data[3 * W + 3]);
  });

  it('renders the same pixels for the same view and seed', () => {
    const c = new Compositor(mask);
    const s = [{ scene, quads: [squareQuad(24, 20, 20)], view: view({ rotation: 13, tilt: 25, tiltAxis: 40, noise: 0.05, blur: 0.8 }), noiseSeed: 99 }];
    expect(c.render(texture, s).pixels.data).toEqual(c.render(texture, s).pixels.data);
  });

  const cases: [string, Partial<ViewParams>][] = [
    ['placement only', {}],
    ['in-plane rotation', { rotation: 27 }],
    ['out-of-plane tilt', { tilt: 40, tiltAxis: 65 }],
    ['scale', { scale: 1.3 }],
    ['translation jitter', { jitter: [0.13, -0.08] }],
    ['brightness', { brightness: 0.07 }],
    ['contrast', { contrast: 1.15 }],
    ['gamma', { gamma: 0.8 }],
    ['per-channel gain', { gain: [1.08, 0.93, 1.02] }],
    ['Gaussian blur', { blur: 1.1 }],
    ['sensor noise', { noise: 0.02 }],
    ['whole-view rotation, scale and shift', { viewRotation: 9, viewScale: 1.1, viewShift: [0.04, -0.03] }],
    ['scene crop and mirror', { crop: 0.7, cropAt: [0.3, 0.6], flip: true, rotation: 10 }],
    ['everything at once', { rotation: -15, tilt: 30, tiltAxis: 120, scale: 0.9, jitter: [0.05, 0.05], brightness: -0.05, contrast: 0.9, gamma: 1.2, gain: [0.95, 1.05, 1], blur: 0.7, noise: 0.01, viewRotation: 5 }],
  ];
  for (const [name, over] of cases) {
    it(`backward matches finite differences: ${name}`, () => {
      const c = new Compositor(mask);
      const r = gradientCheck(c, texture, [{ scene, quads: [squareQuad(24, 20, 18)], view: view(over), noiseSeed: 5 }]);
      expect(r.nonzero).toBeGreaterThan(10);
      expect(r.worst).toBeLessThan(2e-3);
    });
  }

  it('backward matches finite differences through a printer colour model', () => {
    const c = new Compositor(mask, matrixModel);
    const r = gradientCheck(c, texture, [{ scene, quads: [squareQuad(24, 20, 18)], view: view({ tilt: 20, tiltAxis: 10 }), noiseSeed: 5 }]);
    expect(r.worst).toBeLessThan(2e-3);
  });

  it('backward matches finite differences through the print module\'s fitted printer model (curves + matrix)', () => {
    const model: PrinterModel = {
      curves: [
        [0, 0.08, 0.2, 0.33, 0.47, 0.6, 0.74, 0.87, 1],
        [0, 0.1, 0.22, 0.35, 0.5, 0.62, 0.75, 0.88, 1],
        [0, 0.15, 0.27, 0.4, 0.52, 0.64, 0.76, 0.9, 1],
      ],
      matrix: [0.85, 0.08, 0.02, 0.05, 0.8, 0.07, 0.02, 0.05, 0.82],
      offset: [0.03, 0.02, 0.04],
    };
    const colour = printerColourModel(model);
    expect(colour).toBeDefined();
    const c = new Compositor(mask, colour);
    const r = gradientCheck(c, texture, [{ scene, quads: [squareQuad(24, 20, 18)], view: view({ rotation: 12 }), noiseSeed: 5 }], { h: 1e-3 });
    expect(r.nonzero).toBeGreaterThan(10);
    expect(r.worst).toBeLessThan(5e-3);
  });

  it('backward matches finite differences for several overlapping patches, a batch, and a small (mip-mapped) patch', () => {
    const c = new Compositor(mask);
    const big = randomPlane(64, 64, 3, 3);
    const c64 = new Compositor(discMask(64));
    const r1 = gradientCheck(c, texture, [
      { scene, quads: [squareQuad(20, 20, 16), squareQuad(28, 22, 16)], view: view({ rotation: 10 }), noiseSeed: 1 },
      { scene, quads: [squareQuad(30, 18, 14)], view: view({ tilt: 20, blur: 0.9 }), noiseSeed: 2 },
    ]);
    expect(r1.worst).toBeLessThan(2e-3);
    // A 64-texel patch drawn 12 px wide samples mip level 2.
    const r2 = gradientCheck(c64, big, [{ scene, quads: [squareQuad(24, 20, 12)], view: view({ rotation: 20 }), noiseSeed: 1 }]);
    expect(r2.nonzero).toBeGreaterThan(10);
    expect(r2.worst).toBeLessThan(2e-3);
  });

  it('blurs only around the patches yet renders exactly the blur of the whole view', () => {
    const c = new Compositor(mask);
    const quads = [squareQuad(14, 12, 10), squareQuad(34, 26, 12)];
    const sharp = c.render(texture, [{ scene, quads, view: view({ rotation: 10 }), noiseSeed: 0 }]).pixels.data;
    const blurred = c.render(texture, [{ scene, quads, view: view({ rotation: 10, blur: 1.23 }), noiseSeed: 0 }]).pixels.data;
    const expected = blurForward(sharp, W, H, gaussianKernel(1.2));
    expect(maxAbsDiff(blurred, expected)).toBeLessThan(1e-5);
  });

  it('sends no gradient through pixels clipped to [0, 1]', () => {
    const white = makePlane(16, 16, 3, new Float32Array(768).fill(0.9));
    const c = new Compositor(makePlane(16, 16, 1, new Float32Array(256).fill(1)));
    const out = c.render(white, [{ scene, quads: [rectQuad(10, 8, 26, 24)], view: view({ brightness: 0.5 }), noiseSeed: 0 }]);
    const g = c.backward(out, { ...out.pixels, data: new Float32Array(out.pixels.data.length).fill(1) });
    expect(Math.max(...g.map(Math.abs))).toBe(0);
  });
});
