import sharp from 'sharp';
import type { RasterImage } from '../image/image';

/** A grey raster, row-major, values 0-255. */
export interface Grey {
  width: number;
  height: number;
  data: Float32Array;
}

/** The template at each width (area-averaged, so a busy patch does not alias). */
export async function templatesAt(file: string, widths: readonly number[]): Promise<Grey[]> {
  return Promise.all(widths.filter((w) => w >= 4).map((w) => toGrey(file, w)));
}

export async function toGrey(image: RasterImage | string, width: number): Promise<Grey> {
  const input = typeof image === 'string' ? sharp(image).flatten({ background: '#808080' }) : sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
  const { data, info } = await input.greyscale().resize({ width }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: Float32Array.from(data.subarray(0, info.width * info.height)) };
}

export interface Match {
  /** Box in the searched image's pixels. */
  box: [number, number, number, number];
  /** Normalised cross-correlation in [-1, 1]. */
  score: number;
}

/**
 * Best normalised cross-correlation over an image of a template at several sizes: a printed
 * patch found in a trial frame. Window means and
 * variances come from integral images; the correlation itself is direct (small images).
 */
export function matchTemplate(image: Grey, templates: readonly Grey[], stride = 2): Match | undefined {
  const W = image.width;
  const H = image.height;
  const S = new Float64Array((W + 1) * (H + 1));
  const Q = new Float64Array((W + 1) * (H + 1));
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = image.data[y * W + x];
      const i = (y + 1) * (W + 1) + x + 1;
      S[i] = v + S[i - 1] + S[i - W - 1] - S[i - W - 2];
      Q[i] = v * v + Q[i - 1] + Q[i - W - 1] - Q[i - W - 2];
    }
  }
  const rect = (A: Float64Array, x: number, y: number, w: number, h: number): number => A[(y + h) * (W + 1) + x + w] - A[y * (W + 1) + x + w] - A[(y + h) * (W + 1) + x] + A[y * (W + 1) + x];
  let best: Match | undefined;
  for (const template of templates) {
    const [tw, th] = [template.width, template.height];
    if (tw > W || th > H) continue;
    const t = Float32Array.from(template.data);
    const n = tw * th;
    let tMean = 0;
    for (const v of t) tMean += v;
    tMean /= n;
    let tVar = 0;
    for (let i = 0; i < n; i++) {
      t[i] -= tMean;
      tVar += t[i] * t[i];
    }
    if (tVar <= 1e-6) continue;
    for (let y = 0; y + th <= H; y += stride) {
      for (let x = 0; x + tw <= W; x += stride) {
        const sum = rect(S, x, y, tw, th);
        const iVar = rect(Q, x, y, tw, th) - (sum * sum) / n;
        if (iVar <= 1e-6) continue;
        let cross = 0;
        for (let j = 0; j < th; j++) {
          const row = (y + j) * W + x;
          const trow = j * tw;
          for (let i = 0; i < tw; i++) cross += image.data[row + i] * t[trow + i];
        }
        const score = cross / Math.sqrt(iVar * tVar);
        if (!best || score > best.score) best = { box: [x, y, x + tw, y + th], score };
      }
    }
  }
  return best;
}
