import { invert3, type Mat3 } from '../../shared/homography';
import type { Plane } from './texture';

/**
 * Resamples a whole scene through a homography (scene → view pixels) into `out` (a new array
 * when omitted). Where the view sees past the photo's edge the photo is mirrored (replicated
 * edges smear into streaks a detector may read as objects). Forward only: scenes carry no
 * gradient. The homography is inlined: this runs per pixel of every warped view.
 */
export function warpScene(scene: Plane, toView: Mat3, out: Float32Array = new Float32Array(scene.data.length)): Float32Array {
  const { width, height } = scene;
  const plane = width * height;
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = invert3(toView);
  const src = scene.data;
  for (let y = 0; y < height; y++) {
    const py = y + 0.5;
    for (let x = 0; x < width; x++) {
      const px = x + 0.5;
      const w = m6 * px + m7 * py + m8;
      const u = mirror((m0 * px + m1 * py + m2) / w - 0.5, width - 1);
      const v = mirror((m3 * px + m4 * py + m5) / w - 0.5, height - 1);
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
