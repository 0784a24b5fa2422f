import { rectQuad, type Quad } from '../../../src/shared/homography';
import { Rng } from '../../../src/engine/random';
import { makePlane, type Plane } from '../../../src/engine/render/texture';

export function randomPlane(width: number, height: number, channels: number, seed: number, lo = 0.15, hi = 0.85): Plane {
  const rng = new Rng(seed);
  const p = makePlane(width, height, channels);
  for (let i = 0; i < p.data.length; i++) p.data[i] = rng.uniform(lo, hi);
  return p;
}

/** A disc of radius 0.45·size with a one-texel soft edge. */
export function discMask(size: number): Plane {
  const m = makePlane(size, size, 1);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - c, y + 0.5 - c);
      m.data[y * size + x] = Math.min(1, Math.max(0, 0.45 * size - d + 0.5));
    }
  }
  return m;
}

export function squareQuad(cx: number, cy: number, side: number): Quad {
  return rectQuad(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2);
}
