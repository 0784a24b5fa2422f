import { applyH, invert3, type Mat3 } from './homography';
import type { Plane } from './texture';

/**
 * Resamples a whole scene through a homography (scene → view pixels). Where the view sees past
 * the photo's edge the photo is mirrored (replicated edges smear into streaks a detector may
 * read as objects). Forward only: scenes carry no gradient.
 */
export function warpScene(scene: Plane, toView: Mat3): Float32Array {
  const { width, height } = scene;
  const plane = width * height;
  const back = invert3(toView);
  const out = new Float32Array(scene.data.length);
  const src = scene.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = applyH(back, x + 0.5, y + 0.5);
      const u = mirror(sx - 0.5, width - 1);
      const v = mirror(sy - 0.5, height - 1);
      const ix = Math.min(width - 2, Math.floor(u));
      const iy = Math.min(height - 2, Math.floor(v));
      const fx = u - ix;
      const fy = v - iy;
      for (let c = 0; c < scene.channels; c++) {
        const b = c * plane + iy * width + ix;
        out[c * plane + y * width + x] = (1 - fy) * ((1 - fx) * src[b] + fx * src[b + 1]) + fy * ((1 - fx) * src[b + width] + fx * src[b + width + 1]);
      }
    }
  }
  return out;
}

/** Folds a coordinate into [0, max] by mirroring at both ends. */
function mirror(x: number, max: number): number {
  if (max <= 0) return 0;
  const period = 2 * max;
  let m = x % period;
  if (m < 0) m += period;
  return m > max ? period - m : m;
}
