import sharp from 'sharp';
import type { RasterImage } from '../image/image';

export interface PrintImage {
  /** PNG bytes for pdfkit: RGB when the patch is opaque, RGBA otherwise. */
  png: Buffer;
  width: number;
  height: number;
  /** Pixels added on each side for the bleed. */
  bleedPx: number;
}

/**
 * The image as it is embedded: the patch's own pixels, never resampled, with `bleedPx` pixels of
 * bleed around them. An opaque patch repeats its edge pixels outward. A masked patch (alpha)
 * grows its mask by the bleed and fills the new pixels with the colour of the nearest masked
 * pixel, so a cut that strays outside the CutContour line still lands on the pattern.
 */
export async function preparePrintImage(image: RasterImage, opaque: boolean, bleedPx: number): Promise<PrintImage> {
  const { width, height } = image;
  if (opaque) {
    let pipeline = sharp(image.data, { raw: { width, height, channels: image.channels } }).removeAlpha();
    if (bleedPx > 0) pipeline = pipeline.extend({ top: bleedPx, bottom: bleedPx, left: bleedPx, right: bleedPx, extendWith: 'copy' });
    return { png: await pipeline.png().toBuffer(), width: width + 2 * bleedPx, height: height + 2 * bleedPx, bleedPx };
  }
  const rgba = bleedPx > 0 ? growMask(image, bleedPx) : toRgba(image);
  const png = await sharp(rgba.data, { raw: { width: rgba.width, height: rgba.height, channels: 4 } }).png().toBuffer();
  return { png, width: rgba.width, height: rgba.height, bleedPx };
}

function toRgba(image: RasterImage): RasterImage {
  if (image.channels === 4) return image;
  const data = new Uint8Array(image.width * image.height * 4);
  for (let p = 0; p < image.width * image.height; p++) {
    data.set(image.data.subarray(3 * p, 3 * p + 3), 4 * p);
    data[4 * p + 3] = 255;
  }
  return { width: image.width, height: image.height, channels: 4, data };
}

/**
 * Pads by `radius` pixels and dilates the mask (alpha >= 128) by that radius. Each new pixel
 * takes the colour of its nearest mask pixel, found by propagating nearest-source coordinates
 * outward ring by ring (exact enough for a bleed, far cheaper than an exact distance transform);
 * its alpha falls off over the last pixel so the grown edge stays smooth.
 */
export function growMask(image: RasterImage, radius: number): RasterImage {
  const src = toRgba(image);
  const W = src.width + 2 * radius;
  const H = src.height + 2 * radius;
  const out = new Uint8Array(W * H * 4);
  const sourceX = new Int32Array(W * H).fill(-1);
  const sourceY = new Int32Array(W * H);
  let frontier: number[] = [];
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      const s = 4 * (y * src.width + x);
      const p = (y + radius) * W + (x + radius);
      if (src.data[s + 3] >= 128) {
        out.set(src.data.subarray(s, s + 3), 4 * p);
        out[4 * p + 3] = 255;
        sourceX[p] = x + radius;
        sourceY[p] = y + radius;
        if (onMaskEdge(src, x, y)) frontier.push(p);
      }
    }
  }
  const limit = (radius + 1) ** 2;
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const p of frontier) {
      const px = p % W;
      const py = (p - px) / W;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = px + dx;
          const y = py + dy;
          if (x < 0 || y < 0 || x >= W || y >= H) continue;
          const q = y * W + x;
          const d = (x - sourceX[p]) ** 2 + (y - sourceY[p]) ** 2;
          if (d > limit) continue;
          if (sourceX[q] >= 0 && (x - sourceX[q]) ** 2 + (y - sourceY[q]) ** 2 <= d) continue;
          if (sourceX[q] < 0) next.push(q);
          sourceX[q] = sourceX[p];
          sourceY[q] = sourceY[p];
        }
      }
    }
    frontier = next;
  }
  for (let q = 0; q < W * H; q++) {
    if (sourceX[q] < 0 || out[4 * q + 3] === 255) continue;
    const x = q % W;
    const y = (q - x) / W;
    const s = sourceY[q] * W + sourceX[q];
    out.set(out.subarray(4 * s, 4 * s + 3), 4 * q);
    const distance = Math.sqrt((x - sourceX[q]) ** 2 + (y - sourceY[q]) ** 2);
    out[4 * q + 3] = Math.round(255 * Math.min(1, Math.max(0, radius + 1 - distance)));
  }
  return { width: W, height: H, channels: 4, data: out };
}

function onMaskEdge(image: RasterImage, x: number, y: number): boolean {
  for (const [dx, dy] of [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
  ]) {
    const nx = x + dx;
    const ny = y + dy;
    if (nx < 0 || ny < 0 || nx >= image.width || ny >= image.height) return true;
    if (image.data[4 * (ny * image.width + nx) + 3] < 128) return true;
  }
  return false;
}
