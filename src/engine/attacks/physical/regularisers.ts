import type { Plane } from '../../render/texture';

/** A regulariser's value and its gradient with respect to the texture (planar, like the texture). */
export interface Penalty {
  value: number;
  grad: Float32Array;
}

/**
 * Non-printability score (Sharif et al.; the min-distance form adversarial-yolo uses): the
 * mean over patch texels of the distance to the nearest printable colour. Colours in [0, 1].
 */
export function nonPrintability(texture: Plane, mask: Plane, palette: readonly (readonly [number, number, number])[]): Penalty {
  const n = texture.width * texture.height;
  const grad = new Float32Array(texture.data.length);
  if (palette.length === 0) return { value: 0, grad };
  const d = texture.data;
  let total = 0;
  let weight = 0;
  for (let p = 0; p < n; p++) weight += mask.data[p];
  if (weight === 0) return { value: 0, grad };
  for (let p = 0; p < n; p++) {
    const a = mask.data[p];
    if (a === 0) continue;
    const r = d[p];
    const g = d[n + p];
    const b = d[2 * n + p];
    let best = Infinity;
    let bi = 0;
    for (let i = 0; i < palette.length; i++) {
      const c = palette[i];
      const dist = (r - c[0]) ** 2 + (g - c[1]) ** 2 + (b - c[2]) ** 2;
      if (dist < best) {
        best = dist;
        bi = i;
      }
    }
    const dist = Math.sqrt(best + 1e-8);
    total += (a * dist) / weight;
    const s = a / weight / dist;
    const c = palette[bi];
    grad[p] = s * (r - c[0]);
    grad[n + p] = s * (g - c[1]);
    grad[2 * n + p] = s * (b - c[2]);
  }
  return { value: total, grad };
}

const TV_EPS = 1e-6;

/** Total variation: mean smoothed |difference| between neighbouring texels inside the mask. */
export function totalVariation(texture: Plane, mask: Plane): Penalty {
  const { width: w, height: h } = texture;
  const n = w * h;
  const d = texture.data;
  const grad = new Float32Array(d.length);
  let pairs = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask.data[y * w + x] > 0) pairs += 2;
  if (pairs === 0) return { value: 0, grad };
  const norm = 1 / (pairs * 3);
  let total = 0;
  const pair = (i: number, j: number, a: number): void => {
    for (let c = 0; c < 3; c++) {
      const diff = d[c * n + j] - d[c * n + i];
      const s = Math.sqrt(diff * diff + TV_EPS);
      total += a * s * norm;
      const g = (a * norm * diff) / s;
      grad[c * n + j] += g;
      grad[c * n + i] -= g;
    }
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (x + 1 < w) {
        const a = Math.min(mask.data[i], mask.data[i + 1]);
        if (a > 0) pair(i, i + 1, a);
      }
      if (y + 1 < h) {
        const a = Math.min(mask.data[i], mask.data[i + w]);
        if (a > 0) pair(i, i + w, a);
      }
    }
  }
  return { value: total, grad };
}

/** Mean squared distance to a disguise image inside the mask (keeps the patch looking like it). */
export function disguiseDistance(texture: Plane, mask: Plane, disguise: Plane): Penalty {
  const n = texture.width * texture.height;
  const grad = new Float32Array(texture.data.length);
  let weight = 0;
  for (let p = 0; p < n; p++) weight += mask.data[p];
  if (weight === 0) return { value: 0, grad };
  let total = 0;
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < n; p++) {
      const a = mask.data[p];
      if (a === 0) continue;
      const diff = texture.data[c * n + p] - disguise.data[c * n + p];
      total += (a * diff * diff) / (3 * weight);
      grad[c * n + p] = (2 * a * diff) / (3 * weight);
    }
  }
  return { value: total, grad };
}
