import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors';
import { resourcesDir } from '../paths';

export type Rgb = [number, number, number];

/** The shipped printable palette (the print module's `resources/palettes/default.json`), if installed. */
export function defaultPalettePath(): string | undefined {
  const path = join(resourcesDir(), 'palettes', 'default.json');
  return existsSync(path) ? path : undefined;
}

/**
 * Reads printable colours as [0, 1] RGB from a palette JSON: an array of colours, or an object
 * holding one under `colors`/`colours`/`palette`/`swatches`; a colour is [r, g, b] (0-255, or
 * 0-1 when every value is <= 1), '#rrggbb', or an object with `rgb` / `hex` / r,g,b.
 */
export function readPalette(path: string): Rgb[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`${path}: cannot read palette (${(error as Error).message.split('\n')[0]})`);
  }
  const list = Array.isArray(json) ? json : (['colors', 'colours', 'palette', 'swatches'].map((k) => (json as Record<string, unknown>)[k]).find(Array.isArray) as unknown[] | undefined);
  if (!list || list.length === 0) throw new UserError(`${path}: no colours found in the palette`);
  const raw = list.map((c, i) => colour(c, `${path}: colour ${i + 1}`));
  const unit = raw.every((c) => c.every((v) => v <= 1));
  return raw.map((c) => (unit ? c : (c.map((v) => v / 255) as Rgb)));
}

function colour(value: unknown, label: string): Rgb {
  if (typeof value === 'string') return hex(value, label);
  if (Array.isArray(value) && value.length >= 3) return [Number(value[0]), Number(value[1]), Number(value[2])];
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.rgb !== undefined) return colour(o.rgb, label);
    if (typeof o.hex === 'string') return hex(o.hex, label);
    if (o.r !== undefined) return [Number(o.r), Number(o.g), Number(o.b)];
  }
  throw new UserError(`${label}: not a colour`);
}

function hex(s: string, label: string): Rgb {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(s.trim());
  if (!m) throw new UserError(`${label}: '${s}' is not #rrggbb`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}
