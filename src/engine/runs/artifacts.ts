import sharp, { type OverlayOptions } from 'sharp';
import type { Quad } from '../../shared/homography';
import { shapeMask, type PatchShape } from '../render/shapes';
import { makePlane, type Plane } from '../render/texture';
import type { TargetPrediction } from '../attacks/physical/target';
import type { FloatTensor } from '../tensor/tensor';
import { UserError } from '../errors';

/** Planar float RGB -> interleaved 8-bit RGB. */
export function planeToRgb(p: Plane): Buffer {
  const n = p.width * p.height;
  const out = Buffer.alloc(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(Math.min(1, Math.max(0, p.data[c * n + i])) * 255);
  return out;
}

/**
 * The printable patch: RGBA PNG with its longer side `size` pixels, colours upsampled from
 * the optimised texture, alpha = the shape's mask drawn at full resolution.
 */
export async function patchPng(texture: Plane, shape: PatchShape, size: number): Promise<Buffer> {
  const { mask } = await shapeMask(shape, size);
  const rgb = await sharp(planeToRgb(texture), { raw: { width: texture.width, height: texture.height, channels: 3 } })
    .resize(mask.width, mask.height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  const n = mask.width * mask.height;
  const rgba = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) {
    rgba[i * 4] = rgb[i * 3];
    rgba[i * 4 + 1] = rgb[i * 3 + 1];
    rgba[i * 4 + 2] = rgb[i * 3 + 2];
    rgba[i * 4 + 3] = Math.round(mask.data[i] * 255);
  }
  return sharp(rgba, { raw: { width: mask.width, height: mask.height, channels: 4 } }).png().toBuffer();
}

/** Reads a patch PNG (alpha = mask) back as a texture and mask with the longer side `resolution`. */
export async function readPatchPng(file: string, resolution: number): Promise<{ texture: Plane; mask: Plane }> {
  let meta;
  try {
    meta = await sharp(file).metadata();
  } catch {
    throw new UserError(`${file}: not a readable image`);
  }
  const scale = resolution / Math.max(meta.width ?? 1, meta.height ?? 1);
  const w = Math.max(1, Math.round((meta.width ?? 1) * scale));
  const h = Math.max(1, Math.round((meta.height ?? 1) * scale));
  const data = await sharp(file).ensureAlpha().resize(w, h, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  const n = w * h;
  const texture = makePlane(w, h, 3);
  const mask = makePlane(w, h, 1);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) texture.data[c * n + i] = data[i * 4 + c] / 255;
    mask.data[i] = data[i * 4 + 3] / 255;
  }
  return { texture, mask };
}

/** One view of a batch as 8-bit RGB. */
export function viewToRgb(pixels: FloatTensor, index: number): Buffer {
  const [, , h, w] = pixels.dims;
  const plane = w * h;
  const out = Buffer.alloc(plane * 3);
  const base = index * 3 * plane;
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round(Math.min(1, Math.max(0, pixels.data[base + c * plane + p])) * 255);
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[ch] ?? ch);
}

export interface SampleTile {
  pixels: FloatTensor;
  index: number;
  quads: readonly Quad[];
  prediction?: TargetPrediction;
  caption: string;
  success?: boolean;
}

/** A grid of rendered views with the patch outline, the model's detections and a caption per tile. */
export async function sampleGrid(tiles: readonly SampleTile[], labelOf: (i: number) => string, columns = 4): Promise<Buffer> {
  const [, , h, w] = tiles[0].pixels.dims;
  const tileW = w < 256 ? 256 : Math.min(w, 320);
  const tileH = Math.round((h * tileW) / w);
  const s = tileW / w;
  const capH = 18;
  const cols = Math.min(columns, tiles.length);
  const rows = Math.ceil(tiles.length / cols);
  const composites: OverlayOptions[] = [];
  for (let i = 0; i < tiles.length; i++) {
    const t = tiles[i];
    const x0 = (i % cols) * tileW;
    const y0 = Math.floor(i / cols) * (tileH + capH);
    const img = await sharp(viewToRgb(t.pixels, t.index), { raw: { width: w, height: h, channels: 3 } }).resize(tileW, tileH).png().toBuffer();
    composites.push({ input: img, left: x0, top: y0 });
    const shapes: string[] = [];
    for (const q of t.quads) shapes.push(`<polygon points="${q.map(([x, y]) => `${(x * s).toFixed(1)},${(y * s).toFixed(1)}`).join(' ')}" fill="none" stroke="#ffd400" stroke-width="1" stroke-dasharray="3,2"/>`);
    for (const d of t.prediction?.detections ?? []) {
      const [bx0, by0, bx1, by1] = d.box.map((v) => v * s);
      shapes.push(`<rect x="${bx0.toFixed(1)}" y="${by0.toFixed(1)}" width="${(bx1 - bx0).toFixed(1)}" height="${(by1 - by0).toFixed(1)}" fill="none" stroke="#00e0ff" stroke-width="1.5"/>`);
      shapes.push(`<text x="${(bx0 + 2).toFixed(1)}" y="${(by0 + 10).toFixed(1)}" font-family="sans-serif" font-size="10" fill="#00e0ff">${escapeXml(d.label)} ${(d.score * 100).toFixed(0)}%</text>`);
    }
    const top = t.prediction?.top?.[0];
    if (top) shapes.push(`<text x="3" y="12" font-family="sans-serif" font-size="11" fill="#00e0ff">${escapeXml(labelOf(top.index))} ${(top.prob * 100).toFixed(0)}%</text>`);
    const colour = t.success === undefined ? '#dddddd' : t.success ? '#7CFC00' : '#ff5050';
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${tileW}" height="${tileH + capH}">${shapes.join('')}<rect x="0" y="${tileH}" width="${tileW}" height="${capH}" fill="#111"/><text x="4" y="${tileH + 13}" font-family="sans-serif" font-size="11" fill="${colour}">${escapeXml(t.caption)}</text></svg>`;
    composites.push({ input: Buffer.from(svg), left: x0, top: y0 });
  }
  return sharp({ create: { width: cols * tileW, height: rows * (tileH + capH), channels: 3, background: { r: 17, g: 17, b: 17 } } })
    .composite(composites)
    .png()
    .toBuffer();
}
