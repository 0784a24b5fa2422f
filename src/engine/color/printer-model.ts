import { z } from 'zod';

/**
 * How a printer (and the camera that photographs the print) turns the RGB we send into the RGB we
 * see: out = clamp01(matrix · curve(in) + offset), with one monotone piecewise-linear tone curve
 * per channel (values at evenly spaced knots on [0,1], pinned to 0 and 1 at the ends so the
 * matrix carries gain and cross-talk) followed by a 3x3 matrix and an offset. Identity by default.
 */
export interface PrinterModel {
  /** Three curves (R, G, B), each the values at `curves[c].length` evenly spaced inputs, non-decreasing. */
  curves: [number[], number[], number[]];
  /** Row-major 3x3. */
  matrix: number[];
  offset: [number, number, number];
}

/** Where the channels of pixel p sit in a Float32Array. */
export type PixelLayout =
  /** RGBRGB... (HWC); `pixels.length` is 3 * pixel count. */
  | { layout: 'interleaved' }
  /** One plane per channel, images back to back (NCHW); `planeSize` is H*W of one image. */
  | { layout: 'planar'; planeSize: number };

export const INTERLEAVED: PixelLayout = { layout: 'interleaved' };

export const DEFAULT_KNOTS = 9;

const Curve = z.array(z.number()).min(2);

/** The JSON form: every part optional so a hand-written `{ "matrix": [...] }` is a valid model. */
export const PrinterModelSchema = z
  .object({
    kind: z.literal('curves-matrix').default('curves-matrix'),
    curves: z.tuple([Curve, Curve, Curve]).optional(),
    matrix: z.array(z.number()).length(9).optional(),
    offset: z.tuple([z.number(), z.number(), z.number()]).optional(),
  })
  .superRefine((value, ctx) => {
    for (const curve of value.curves ?? []) {
      if (curve.some((v, i) => i > 0 && v < curve[i - 1])) ctx.addIssue({ code: 'custom', message: 'tone curves must be non-decreasing' });
    }
  });

export type PrinterModelJson = z.input<typeof PrinterModelSchema>;

export function identityCurve(knots = DEFAULT_KNOTS): number[] {
  return Array.from({ length: knots }, (_, k) => k / (knots - 1));
}

export function identityPrinterModel(knots = DEFAULT_KNOTS): PrinterModel {
  return { curves: [identityCurve(knots), identityCurve(knots), identityCurve(knots)], matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1], offset: [0, 0, 0] };
}

export function printerModelFromJson(json: unknown): PrinterModel {
  const parsed = PrinterModelSchema.parse(json);
  const identity = identityPrinterModel();
  return {
    curves: parsed.curves ? [[...parsed.curves[0]], [...parsed.curves[1]], [...parsed.curves[2]]] : identity.curves,
    matrix: parsed.matrix ? [...parsed.matrix] : identity.matrix,
    offset: parsed.offset ? [...parsed.offset] : identity.offset,
  };
}

export function printerModelToJson(model: PrinterModel): PrinterModelJson {
  const round = (v: number): number => Math.round(v * 1e6) / 1e6;
  return {
    kind: 'curves-matrix',
    curves: model.curves.map((c) => c.map(round)) as [number[], number[], number[]],
    matrix: model.matrix.map(round),
    offset: model.offset.map(round) as [number, number, number],
  };
}

export function isIdentityPrinterModel(model: PrinterModel, tolerance = 1e-9): boolean {
  const id = identityPrinterModel(model.curves[0].length);
  const close = (a: number[], b: number[]): boolean => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tolerance);
  return model.curves.every((c, i) => close(c, id.curves[i])) && close(model.matrix, id.matrix) && close(model.offset, id.offset);
}

/** Flat tables so the per-pixel loops touch only typed arrays. */
interface Compiled {
  knots: number;
  values: Float64Array; // 3 x knots
  slopes: Float64Array; // 3 x (knots - 1), d curve / d input
  m: Float64Array;
  b: Float64Array;
}

function compile(model: PrinterModel): Compiled {
  const knots = model.curves[0].length;
  if (knots < 2 || model.curves.some((c) => c.length !== knots)) throw new Error('printer model: the three curves need the same number (>= 2) of knots');
  const values = new Float64Array(3 * knots);
  const slopes = new Float64Array(3 * (knots - 1));
  for (let c = 0; c < 3; c++) {
    for (let k = 0; k < knots; k++) values[c * knots + k] = model.curves[c][k];
    for (let k = 0; k < knots - 1; k++) slopes[c * (knots - 1) + k] = (model.curves[c][k + 1] - model.curves[c][k]) * (knots - 1);
  }
  return { knots, values, slopes, m: Float64Array.from(model.matrix), b: Float64Array.from(model.offset) };
}

function strides(pixels: ArrayLike<number>, layout: PixelLayout): { count: number; index: (p: number) => number; step: number } {
  if (pixels.length % 3 !== 0) throw new Error(`printer model: ${pixels.length} values is not a whole number of RGB pixels`);
  const count = pixels.length / 3;
  if (layout.layout === 'interleaved') return { count, index: (p) => 3 * p, step: 1 };
  const plane = layout.planeSize;
  if (!(plane > 0) || count % plane !== 0) throw new Error(`printer model: ${count} pixels is not a whole number of ${plane}-pixel planes`);
  return { count, index: (p) => Math.floor(p / plane) * 3 * plane + (p % plane), step: plane };
}

/** Curve value and segment for one channel; inputs outside [0,1] are clamped (zero gradient there). */
function segment(k: Compiled, x: number): { seg: number; t: number } {
  const u = (x <= 0 ? 0 : x >= 1 ? 1 : x) * (k.knots - 1);
  const seg = Math.min(Math.floor(u), k.knots - 2);
  return { seg, t: u - seg };
}

/**
 * Forward: the printed colour of every pixel. Pure: reads `pixels`, writes `out` (a new array
 * when absent; may be `pixels` itself).
 */
export function applyPrinterModel(model: PrinterModel, pixels: Float32Array, out?: Float32Array, layout: PixelLayout = INTERLEAVED): Float32Array {
  const k = compile(model);
  const { count, index, step } = strides(pixels, layout);
  const result = out ?? new Float32Array(pixels.length);
  if (result.length !== pixels.length) throw new Error(`printer model: output holds ${result.length} values, input ${pixels.length}`);
  const v = [0, 0, 0];
  for (let p = 0; p < count; p++) {
    const i = index(p);
    for (let c = 0; c < 3; c++) {
      const { seg, t } = segment(k, pixels[i + c * step]);
      const base = c * k.knots + seg;
      v[c] = k.values[base] + t * (k.values[base + 1] - k.values[base]);
    }
    for (let j = 0; j < 3; j++) {
      const y = k.m[3 * j] * v[0] + k.m[3 * j + 1] * v[1] + k.m[3 * j + 2] * v[2] + k.b[j];
      result[i + j * step] = y <= 0 ? 0 : y >= 1 ? 1 : y;
    }
  }
  return result;
}

/**
 * Backward (vector-Jacobian product): given the forward input `pixels` and d(loss)/d(output)
 * `gradOut`, returns d(loss)/d(pixels) in `gradIn` (overwritten; a new array when absent). Exact
 * for the forward above: clamped outputs and inputs outside [0,1] pass no gradient, and a pixel
 * exactly on a knot takes the slope of the segment above it (the last segment at 1).
 */
export function printerModelBackward(model: PrinterModel, pixels: Float32Array, gradOut: Float32Array, gradIn?: Float32Array, layout: PixelLayout = INTERLEAVED): Float32Array {
  const k = compile(model);
  const { count, index, step } = strides(pixels, layout);
  if (gradOut.length !== pixels.length) throw new Error(`printer model: gradient holds ${gradOut.length} values, input ${pixels.length}`);
  const result = gradIn ?? new Float32Array(pixels.length);
  const v = [0, 0, 0];
  const slope = [0, 0, 0];
  const g = [0, 0, 0];
  for (let p = 0; p < count; p++) {
    const i = index(p);
    for (let c = 0; c < 3; c++) {
      const x = pixels[i + c * step];
      const { seg, t } = segment(k, x);
      const base = c * k.knots + seg;
      v[c] = k.values[base] + t * (k.values[base + 1] - k.values[base]);
      slope[c] = x < 0 || x > 1 ? 0 : k.slopes[c * (k.knots - 1) + seg];
    }
    for (let j = 0; j < 3; j++) {
      const y = k.m[3 * j] * v[0] + k.m[3 * j + 1] * v[1] + k.m[3 * j + 2] * v[2] + k.b[j];
      g[j] = y < 0 || y > 1 ? 0 : gradOut[i + j * step];
    }
    for (let c = 0; c < 3; c++) {
      result[i + c * step] = slope[c] * (k.m[c] * g[0] + k.m[3 + c] * g[1] + k.m[6 + c] * g[2]);
    }
  }
  return result;
}
