import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError, firstLine } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import { patchlabHome, resourcesDir } from '../paths';
import { identityPrinterModel, PrinterModelSchema, printerModelFromJson, printerModelToJson, type PrinterModel } from './printer-model';
import { firstIssue } from '../../shared/zod-issue';

const Rgb255 = z.tuple([z.number().min(0).max(255), z.number().min(0).max(255), z.number().min(0).max(255)]);

/**
 * A palette file: the colours a printer is sent (0-255 sRGB), optionally what a calibration
 * photo showed for each of them (same order) and the printer model fitted from the pairs.
 */
export const PaletteFileSchema = z
  .object({
    format: z.literal('patchlab-palette').default('patchlab-palette'),
    version: z.literal(1).default(1),
    name: z.string().min(1),
    description: z.string().default(''),
    colors: z.array(Rgb255).min(1),
    measured: z.array(Rgb255).optional(),
    model: PrinterModelSchema.optional(),
    calibration: z
      .object({
        date: z.string(),
        photo: z.string().optional(),
        basePalette: z.string().optional(),
        meanError: z.number(),
        maxError: z.number(),
      })
      .optional(),
  })
  .refine((p) => !p.measured || p.measured.length === p.colors.length, { message: 'measured must list one colour per entry of colors' });

export type PaletteFile = z.input<typeof PaletteFileSchema>;
export type CalibrationInfo = NonNullable<z.infer<typeof PaletteFileSchema>['calibration']>;

export interface Palette {
  name: string;
  description: string;
  count: number;
  /** Intended colours (what the printer is sent): RGB in [0,1], interleaved, 3 * count values. */
  colors: Float32Array;
  /** What the calibration photo showed for each colour (RGB in [0,1]), when calibrated. */
  measured?: Float32Array;
  /** The colours NPS should compare patch pixels against: `measured` when calibrated, else `colors`. */
  printable: Float32Array;
  /** Intended -> printed colour; identity when not calibrated. */
  model: PrinterModel;
  calibration?: CalibrationInfo;
  /** The file it was read from. */
  path?: string;
}

export function userPalettesDir(): string {
  return join(patchlabHome(), 'palettes');
}

export function builtinPalettesDir(): string {
  return join(resourcesDir(), 'palettes');
}

const toUnit = (colors: number[][]): Float32Array => Float32Array.from(colors.flat(), (v) => v / 255);

export function paletteFromJson(json: unknown, label: string): Palette {
  const parsed = PaletteFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new UserError(`${label}: not a patchlab palette (${firstIssue(parsed.error, 'file')})`);
  }
  const file = parsed.data;
  const colors = toUnit(file.colors);
  const measured = file.measured ? toUnit(file.measured) : undefined;
  return {
    name: file.name,
    description: file.description,
    count: file.colors.length,
    colors,
    measured,
    printable: measured ?? colors,
    model: file.model ? printerModelFromJson(file.model) : identityPrinterModel(),
    calibration: file.calibration,
  };
}

export function paletteToJson(palette: Palette): PaletteFile {
  const to255 = (values: Float32Array, digits: number): [number, number, number][] => {
    const scale = 10 ** digits;
    const out: [number, number, number][] = [];
    for (let i = 0; i < values.length; i += 3) out.push([0, 1, 2].map((c) => Math.round(values[i + c] * 255 * scale) / scale) as [number, number, number]);
    return out;
  };
  return {
    format: 'patchlab-palette',
    version: 1,
    name: palette.name,
    description: palette.description,
    colors: to255(palette.colors, 0),
    ...(palette.measured ? { measured: to255(palette.measured, 2) } : {}),
    model: printerModelToJson(palette.model),
    ...(palette.calibration ? { calibration: palette.calibration } : {}),
  };
}

function readPaletteFile(path: string): Palette {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${path}: no such palette file`);
    throw new UserError(`${path}: cannot read palette (${firstLine(error)})`);
  }
  return { ...paletteFromJson(json, path), path };
}

const looksLikePath = (ref: string): boolean => ref.includes('/') || ref.includes('\\') || extname(ref).toLowerCase() === '.json';

/**
 * A palette by name (a calibrated one in $PATCHLAB_HOME/palettes first, then the built-ins in
 * resources/palettes) or by path to a palette JSON file.
 */
export function loadPalette(ref = 'default'): Palette {
  if (looksLikePath(ref)) return readPaletteFile(resolve(ref));
  for (const dir of [userPalettesDir(), builtinPalettesDir()]) {
    const path = join(dir, `${ref}.json`);
    if (existsSync(path)) return readPaletteFile(path);
  }
  const known = listPalettes().map((p) => p.name);
  throw new UserError(`unknown palette '${ref}' (known: ${known.join(', ') || 'none'}; or give a path to a .json palette)`);
}

let builtinDefault: Palette | undefined;

/** The shipped default palette (never a user's calibrated one), uncalibrated: identity model. */
export function defaultPalette(): Palette {
  builtinDefault ??= readPaletteFile(join(builtinPalettesDir(), 'default.json'));
  return builtinDefault;
}

export function listPalettes(): { name: string; path: string; builtin: boolean; calibrated: boolean }[] {
  const out: { name: string; path: string; builtin: boolean; calibrated: boolean }[] = [];
  const seen = new Set<string>();
  for (const [dir, builtin] of [
    [userPalettesDir(), false],
    [builtinPalettesDir(), true],
  ] as const) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const name = basename(file, '.json');
      if (seen.has(name)) continue;
      seen.add(name);
      let calibrated = false;
      try {
        calibrated = Boolean(JSON.parse(readFileSync(join(dir, file), 'utf8')).measured);
      } catch {
        // Listed anyway; loading it will say what is wrong.
      }
      out.push({ name, path: join(dir, file), builtin, calibrated });
    }
  }
  return out;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Writes `$PATCHLAB_HOME/palettes/NAME.json` atomically and returns its path. */
export function savePalette(palette: Palette, name = palette.name): string {
  if (!NAME_PATTERN.test(name)) throw new UserError(`palette name '${name}' must be letters, digits, '.', '_' or '-'`);
  const path = join(userPalettesDir(), `${name}.json`);
  writeFileAtomic(path, formatPaletteJson(paletteToJson({ ...palette, name })));
  return path;
}

/** Pretty JSON with every list of numbers on one line, so a palette reads as one colour a line. */
export function formatPaletteJson(file: PaletteFile): string {
  return JSON.stringify(file, null, 2).replace(/\[\s*(-?[\d.e+-]+(?:\s*,\s*-?[\d.e+-]+)*)\s*\]/g, (_, inner: string) => `[${inner.split(/\s*,\s*/).join(', ')}]`) + '\n';
}
