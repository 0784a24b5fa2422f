import type { RasterImage } from './image';

/** A 2-D affine map (x, y) -> (a x + b y + c, d x + e y + f), as [a, b, c, d, e, f]. */
export type Affine = [number, number, number, number, number, number];

export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new Error('affine map is not invertible');
  const [ia, ib, id, ie] = [e / det, -b / det, -d / det, a / det];
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/**
 * Resamples `image` into a width x height RGB image whose pixel centre (u + 0.5, v + 0.5)
 * comes from image point `toImage(u + 0.5, v + 0.5)` (pixel-centre coordinates), bilinearly;
 * points outside the image read as black, like TF's crop_and_resize.
 */
export function warpAffine(image: RasterImage, toImage: Affine, width: number, height: number): RasterImage {
  const out = new Uint8Array(width * height * 3);
  const { width: w, height: h, channels: ch, data } = image;
  const sample = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : data[(y * w + x) * ch + c]);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const [sx, sy] = applyAffine(toImage, u + 0.5, v + 0.5);
      const x = sx - 0.5;
      const y = sy - 0.5;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      for (let c = 0; c < 3; c++) {
        const top = sample(x0, y0, c) * (1 - fx) + sample(x0 + 1, y0, c) * fx;
        const bottom = sample(x0, y0 + 1, c) * (1 - fx) + sample(x0 + 1, y0 + 1, c) * fx;
        out[(v * width + u) * 3 + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width, height, channels: 3, data: out };
}
