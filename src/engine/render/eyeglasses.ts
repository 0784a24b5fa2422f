import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { UserError } from '../errors';
import { resourcesDir } from '../paths';
import { makePlane, type Plane } from './texture';

/** Where the eyes sit behind the lenses, in mask pixels. */
export interface EyeAnchors {
  left: [number, number];
  right: [number, number];
}

/**
 * The eyeglass-frame silhouette shipped by the print module: `resources/masks/eyeglasses.svg`
 * (frame opaque, lenses transparent) and `eyeglasses.json` (lens centres = eye positions, in
 * the SVG's user units). The print module owns the format; this reads it.
 */
export async function loadEyeglassFrame(size: number, dir = join(resourcesDir(), 'masks')): Promise<{ mask: Plane; anchors: EyeAnchors }> {
  const svgPath = join(dir, 'eyeglasses.svg');
  const jsonPath = join(dir, 'eyeglasses.json');
  if (!existsSync(svgPath) || !existsSync(jsonPath)) throw new UserError(`${svgPath}: the eyeglass-frame silhouette is not installed`);
  const meta = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
  const svg = readFileSync(svgPath);
  const info = await sharp(svg).metadata();
  const unitsW = Number(meta.width ?? info.width);
  const unitsH = Number(meta.height ?? info.height);
  const [left, right] = lensCentres(meta, jsonPath);
  const scale = size / Math.max(unitsW, unitsH);
  const w = Math.max(1, Math.round(unitsW * scale));
  const h = Math.max(1, Math.round(unitsH * scale));
  const { data } = await sharp(svg, { density: Math.max(72, (72 * size) / Math.max(unitsW, unitsH)) })
    .resize(w, h, { fit: 'fill' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const mask = makePlane(w, h, 1);
  for (let p = 0; p < w * h; p++) mask.data[p] = data[p * 4 + 3] / 255;
  return { mask, anchors: { left: [left[0] * scale, left[1] * scale], right: [right[0] * scale, right[1] * scale] } };
}

function lensCentres(meta: Record<string, unknown>, label: string): [[number, number], [number, number]] {
  const pair = (v: unknown): [number, number] | undefined => {
    if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
    if (v && typeof v === 'object' && 'x' in v && 'y' in v) return [Number((v as { x: unknown }).x), Number((v as { y: unknown }).y)];
    return undefined;
  };
  const lenses = (meta.lensCentres ?? meta.lensCenters ?? meta.lenses ?? meta.eyes) as unknown;
  if (Array.isArray(lenses) && lenses.length === 2) {
    const a = pair(lenses[0]) ?? pair((lenses[0] as { center?: unknown; centre?: unknown }).centre ?? (lenses[0] as { center?: unknown }).center);
    const b = pair(lenses[1]) ?? pair((lenses[1] as { center?: unknown; centre?: unknown }).centre ?? (lenses[1] as { center?: unknown }).center);
    if (a && b) return a[0] <= b[0] ? [a, b] : [b, a];
  }
  if (lenses && typeof lenses === 'object') {
    const o = lenses as Record<string, unknown>;
    const a = pair(o.left);
    const b = pair(o.right);
    if (a && b) return a[0] <= b[0] ? [a, b] : [b, a];
  }
  throw new UserError(`${label}: no lens centres found`);
}
