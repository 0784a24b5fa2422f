import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { rasterizeEyeglassFrame, type EyeglassFrameName } from '../../../src/engine/masks/eyeglasses';

/** Patches made on the fly: each test knows exactly what it printed. */

export const GREEN = [20, 160, 60];
export const RED = [220, 30, 30];

/** An opaque WxH patch: green inside, a one-pixel red border (so bleed pixels are recognisable). */
export async function solidPatch(path: string, width: number, height: number): Promise<void> {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const edge = x === 0 || y === 0 || x === width - 1 || y === height - 1;
      data.set(edge ? RED : GREEN, 3 * (y * width + x));
    }
  }
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

/** A mid-grey patch with the given alpha. */
async function greyPatch(path: string, width: number, height: number, alpha: Uint8Array): Promise<void> {
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) rgba.set([128, 128, 128, alpha[p]], 4 * p);
  await sharp(rgba, { raw: { width, height, channels: 4 } }).png().toFile(path);
}

/** A mid-grey patch with the alpha of a rasterised SVG shape (anti-aliased edges). */
async function maskedPatch(path: string, width: number, height: number, svg: string): Promise<Uint8Array> {
  const { data } = await sharp(Buffer.from(svg)).resize(width, height, { fit: 'fill' }).ensureAlpha().extractChannel(3).raw().toBuffer({ resolveWithObject: true });
  const alpha = new Uint8Array(data);
  await greyPatch(path, width, height, alpha);
  return alpha;
}

export function circlePatch(path: string, size: number, radius: number): Promise<Uint8Array> {
  return maskedPatch(path, size, size, `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><circle cx="${size / 2}" cy="${size / 2}" r="${radius}"/></svg>`);
}

/** A glasses run directory as the physical-attack helper writes it: patch.png spans the frame's viewBox. */
export async function glassesRun(dir: string, width: number, frame: EyeglassFrameName = 'classic', size = 1): Promise<{ alpha: Uint8Array; width: number; height: number }> {
  mkdirSync(dir, { recursive: true });
  const { alpha, height } = await rasterizeEyeglassFrame(width, frame);
  await greyPatch(join(dir, 'patch.png'), width, height, alpha);
  writeFileSync(
    join(dir, 'run.json'),
    JSON.stringify({ runId: 'glasses-0042', config: { attack: 'glasses', model: { name: 'faceres' }, goal: 'dodge', shape: { kind: 'eyeglasses', frame }, size }, createdAt: '2025-06-01T10:00:00Z' }),
  );
  return { alpha, width, height };
}

export function isMagenta(r: number, g: number, b: number): boolean {
  return r > 150 && g < 90 && b > 70 && r - g > 120;
}

export function isDark(r: number, g: number, b: number): boolean {
  return r < 60 && g < 60 && b < 60;
}
