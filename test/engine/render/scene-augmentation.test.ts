import { describe, expect, it } from 'vitest';
import { Compositor } from '../../../src/engine/render/compositor';
import { EotSchema, IDENTITY_VIEW, NO_EOT, sampleView, widenEot, type ViewParams } from '../../../src/engine/render/eot';
import { placementInView, viewHomography } from '../../../src/engine/render/geometry';
import { applyH, invert3, rectQuad } from '../../../src/shared/homography';
import { Rng } from '../../../src/engine/random';
import { makePlane } from '../../../src/engine/render/texture';

const W = 64;
const H = 48;

function view(over: Partial<ViewParams>): ViewParams {
  return { ...IDENTITY_VIEW, ...over };
}

/** Red rises with x, green with y: bilinear sampling reproduces it exactly away from the edges. */
function rampScene() {
  const p = makePlane(W, H, 3);
  const n = W * H;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      p.data[y * W + x] = x / W;
      p.data[n + y * W + x] = y / H;
      p.data[2 * n + y * W + x] = 0.5;
    }
  }
  return p;
}

describe('scene augmentation (crop and flip)', () => {
  it('is off by default and draws nothing then', () => {
    const v = sampleView(EotSchema.parse({}), new Rng(3, 0));
    expect([v.crop, v.flip]).toEqual([1, false]);
    expect(viewHomography(v, W, H)).toBeUndefined();
  });

  it('draws crops in range and flips at the asked rate; same seed, same views', () => {
    const eot = EotSchema.parse({ sceneCrop: [0.55, 1], sceneFlip: 0.5 });
    const draw = (seed: number) => Array.from({ length: 2000 }, (_, i) => sampleView(eot, new Rng(seed, i)));
    const views = draw(11);
    expect(draw(11)).toEqual(views);
    expect(draw(12)).not.toEqual(views);
    for (const v of views) {
      expect(v.crop).toBeGreaterThanOrEqual(0.55);
      expect(v.crop).toBeLessThanOrEqual(1);
      for (const a of v.cropAt) expect(a >= 0 && a <= 1).toBe(true);
    }
    const flips = views.filter((v) => v.flip).length / views.length;
    expect(flips).toBeGreaterThan(0.45);
    expect(flips).toBeLessThan(0.55);
    expect(Math.min(...views.map((v) => v.crop))).toBeLessThan(0.6);
  });

  it('evaluation views photos whole: widening switches scene augmentation off', () => {
    const wide = widenEot(EotSchema.parse({ sceneCrop: [0.6, 1], sceneFlip: 0.5 }), 1.5);
    expect([wide.sceneCrop, wide.sceneFlip]).toEqual([NO_EOT.sceneCrop, NO_EOT.sceneFlip]);
  });

  it('maps the chosen photo window onto the whole view, mirrored when flipped', () => {
    // Window of half the photo at the bottom-right corner.
    const h = viewHomography(view({ crop: 0.5, cropAt: [1, 1] }), W, H);
    if (!h) throw new Error('expected a homography');
    expect(applyH(h, W / 2, H / 2)).toEqual([0, 0]);
    expect(applyH(h, W, H)).toEqual([W, H]);
    const f = viewHomography(view({ flip: true }), W, H);
    if (!f) throw new Error('expected a homography');
    expect(applyH(f, 0, 10)).toEqual([W, 10]);
    expect(applyH(f, 16, 10)).toEqual([W - 16, 10]);
    // Window of 0.8 at the left edge, mirrored: the window's left edge becomes the view's right edge.
    const g = viewHomography(view({ crop: 0.8, cropAt: [0, 0.5], flip: true }), W, H);
    if (!g) throw new Error('expected a homography');
    const [x, y] = applyH(g, 0, 0.1 * H);
    expect(x).toBeCloseTo(W, 9);
    expect(y).toBeCloseTo(0, 9);
  });

  it('keeps the patch unmirrored: a flipped placement quad still starts at its top-left corner', () => {
    const f = viewHomography(view({ flip: true, crop: 0.5, cropAt: [0, 0] }), W, H);
    const q = placementInView(f, rectQuad(4, 6, 14, 16));
    // Scene x 4..14 → view x 64-8 .. 64-28 = 56..36; y 6..16 → 12..32.
    expect(q.map(([x, y]) => [Math.round(x), Math.round(y)])).toEqual([
      [36, 12],
      [56, 12],
      [56, 32],
      [36, 32],
    ]);
  });

  it('renders the cropped, mirrored photo and puts the patch where its placement went (known answer)', () => {
    const scene = rampScene();
    const texture = makePlane(8, 8, 3);
    // Left half of the patch black, right half white: handedness is visible.
    for (let c = 0; c < 3; c++) for (let y = 0; y < 8; y++) for (let x = 4; x < 8; x++) texture.data[c * 64 + y * 8 + x] = 1;
    const compositor = new Compositor(makePlane(8, 8, 1, new Float32Array(64).fill(1)));
    const v = view({ crop: 0.5, cropAt: [0.5, 0.25], flip: true });
    const placement = rectQuad(28, 14, 36, 22);
    const out = compositor.render(texture, [{ scene, quads: [placement], view: v, noiseSeed: 0 }]);
    const h = viewHomography(v, W, H);
    if (!h) throw new Error('expected a homography');
    const back = invert3(h);
    const n = W * H;
    const [qx0, qy0] = out.quads[0][0][0];
    const [qx1, qy1] = out.quads[0][0][2];
    // The placement followed the crop and flip: window x0 = 16, y0 = 6, zoom 2, mirrored.
    expect([qx0, qy0, qx1, qy1].map((a) => Math.round(a))).toEqual([W - 2 * (36 - 16), 2 * (14 - 6), W - 2 * (28 - 16), 2 * (22 - 6)]);
    let checked = 0;
    for (let y = 2; y < H - 2; y += 3) {
      for (let x = 2; x < W - 2; x += 3) {
        const inPatch = x >= qx0 - 1 && x <= qx1 + 1 && y >= qy0 - 1 && y <= qy1 + 1;
        if (inPatch) continue;
        const [sx, sy] = applyH(back, x + 0.5, y + 0.5);
        expect(out.pixels.data[y * W + x]).toBeCloseTo((sx - 0.5) / W, 5);
        expect(out.pixels.data[n + y * W + x]).toBeCloseTo((sy - 0.5) / H, 5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
    // Inside the patch: black on its left, white on its right, as printed.
    const midY = Math.round((qy0 + qy1) / 2);
    expect(out.pixels.data[midY * W + Math.round(qx0) + 2]).toBeCloseTo(0, 3);
    expect(out.pixels.data[midY * W + Math.round(qx1) - 3]).toBeCloseTo(1, 3);
  });
});
