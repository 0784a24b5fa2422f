import { describe, expect, it } from 'vitest';
import { applyHomography, eyesQuad, squareQuad, squareToQuad, triangleAffine, type Quad } from '../../src/renderer/src/lib/warp';
import { sampleQuad } from '../../src/renderer/src/lib/eot-preview';

const close = (a: { x: number; y: number }, b: { x: number; y: number }) => {
  expect(a.x).toBeCloseTo(b.x, 6);
  expect(a.y).toBeCloseTo(b.y, 6);
};

describe('virtual patch geometry', () => {
  it('maps the unit square onto any quad, corners exactly and lines to lines', () => {
    const quad: Quad = [
      { x: 10, y: 20 },
      { x: 200, y: 35 },
      { x: 180, y: 260 },
      { x: 25, y: 190 },
    ];
    const h = squareToQuad(quad);
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ].forEach(([u, v], i) => close(applyHomography(h, u, v), quad[i]));
    // A projective map keeps straight lines straight: the midpoint of an edge lies on that edge.
    const m = applyHomography(h, 0.5, 0);
    const cross = (quad[1].x - quad[0].x) * (m.y - quad[0].y) - (quad[1].y - quad[0].y) * (m.x - quad[0].x);
    expect(Math.abs(cross)).toBeLessThan(1e-6);
  });

  it('is affine (g = h = 0) for a parallelogram', () => {
    const h = squareToQuad([
      { x: 0, y: 0 },
      { x: 4, y: 1 },
      { x: 5, y: 4 },
      { x: 1, y: 3 },
    ]);
    expect(h[6]).toBeCloseTo(0, 12);
    expect(h[7]).toBeCloseTo(0, 12);
  });

  it('builds the canvas transform that takes one triangle onto another', () => {
    const s: [{ x: number; y: number }, { x: number; y: number }, { x: number; y: number }] = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 0, y: 10 },
    ];
    const d: typeof s = [
      { x: 5, y: 7 },
      { x: 25, y: 9 },
      { x: 3, y: 30 },
    ];
    const [a, b, c, dd, e, f] = triangleAffine(s, d);
    s.forEach((p, i) => close({ x: a * p.x + c * p.y + e, y: b * p.x + dd * p.y + f }, d[i]));
  });

  it('places glasses centred between the eyes, level with them, 2.4x the eye distance wide', () => {
    const q = eyesQuad({ x: 100, y: 100 }, { x: 160, y: 100 }, 3);
    expect(q[1].x - q[0].x).toBeCloseTo(144, 6);
    expect((q[0].x + q[1].x) / 2).toBeCloseTo(130, 6);
    expect((q[0].y + q[3].y) / 2).toBeCloseTo(100, 6);
    // Tilted head: the frame follows the eye line.
    const tilted = eyesQuad({ x: 0, y: 0 }, { x: 30, y: 40 }, 3);
    expect((tilted[1].y - tilted[0].y) / (tilted[1].x - tilted[0].x)).toBeCloseTo(40 / 30, 6);
  });

  it('draws EOT samples as the plain square when every range is zero, and foreshortens under tilt', () => {
    const none = { rotationDeg: 0, tiltDeg: 0, tiltAxisDeg: 0, scale: 1, brightness: 0, contrast: 0, noise: 0, blur: 0 };
    sampleQuad(50, 40, 20, none).forEach((p, i) => close(p, squareQuad(50, 40, 20)[i]));
    const tilted = sampleQuad(50, 40, 20, { ...none, tiltDeg: 60, tiltAxisDeg: 0 });
    // Tilting about the horizontal axis squashes the height and leaves the width (near) alone.
    const height = (tilted[3].y + tilted[2].y - tilted[0].y - tilted[1].y) / 2;
    expect(height).toBeLessThan(12);
    expect(height).toBeGreaterThan(8);
  });
});
