import type { RasterImage } from '../../image/image';

export interface PerturbationNorms {
  /** Fraction of pixel positions with any channel changed. */
  l0: number;
  /** Pixel positions changed. */
  l0Pixels: number;
  /** Euclidean norm of the change, pixel units (values in [0,1]). */
  l2: number;
  /** Largest change of any channel, pixel units. */
  linf: number;
}

/** Norms of (adversarial - original) for two 8-bit images of one size. */
export function imageNorms(original: RasterImage, adversarial: RasterImage): PerturbationNorms {
  const ch = original.channels;
  let changed = 0;
  let sq = 0;
  let max = 0;
  for (let p = 0; p < original.width * original.height; p++) {
    let any = false;
    for (let c = 0; c < ch; c++) {
      const d = Math.abs(adversarial.data[p * ch + c] - original.data[p * ch + c]) / 255;
      if (d > 0) any = true;
      sq += d * d;
      max = Math.max(max, d);
    }
    if (any) changed++;
  }
  return { l0: changed / (original.width * original.height), l0Pixels: changed, l2: Math.sqrt(sq), linf: max };
}

/** Norms of (a - b) for NCHW planes [3, h, w] in pixel units. */
export function planeNorms(a: ArrayLike<number>, b: ArrayLike<number>): PerturbationNorms {
  const plane = a.length / 3;
  let changed = 0;
  let sq = 0;
  let max = 0;
  for (let p = 0; p < plane; p++) {
    let any = false;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a[c * plane + p] - b[c * plane + p]);
      if (d > 1e-7) any = true;
      sq += d * d;
      max = Math.max(max, d);
    }
    if (any) changed++;
  }
  return { l0: changed / plane, l0Pixels: changed, l2: Math.sqrt(sq), linf: max };
}

export interface Stat {
  mean: number;
  median: number;
}

/** Mean and median; NaN for an empty list. */
export function stat(values: readonly number[]): Stat {
  if (values.length === 0) return { mean: NaN, median: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    mean: values.reduce((a, v) => a + v, 0) / values.length,
    median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
  };
}
