import { basename } from 'node:path';
import sharp from 'sharp';
import { Matrix, solve } from 'ml-matrix';
import { UserError } from '../errors';
import { decodeImage, type RasterImage } from '../image/image';
import { chartLayout, type ChartLayout } from './chart';
import { fitErrors, fitPrinterModel } from './fit-printer-model';
import { applyH, asQuad, homographyFromQuads } from '../../shared/homography';

type Point = [number, number];
import { findMarkers, pickCorners, type GrayImage } from './markers';
import { loadPalette, savePalette, type Palette } from './palette';

export interface CalibrateOptions {
  /** The palette the chart was printed from (name, path or loaded); `default` when absent. */
  palette?: string | Palette;
  /** Name of the calibrated palette; saved to $PATCHLAB_HOME/palettes/NAME.json when `save`. */
  name?: string;
  save?: boolean;
  /**
   * Keep the camera's own values instead of dividing by the paper white. Relative (the default)
   * leaves exposure and white balance to the attack's lighting transforms and gives the same
   * model from photos taken in different light.
   */
  absolute?: boolean;
  /** For messages: where the image came from. */
  label?: string;
}

export interface SwatchReading {
  label: string;
  /** 0-255. */
  intended: [number, number, number];
  /** 0-255, relative to the paper white unless `absolute`. */
  measured: [number, number, number];
  /** Mean |model(intended) - measured| over the channels, 1/255 units. */
  error: number;
}

export interface CalibrationResult {
  palette: Palette;
  /** Where it was saved, when it was. */
  path?: string;
  /** Marker centres in image pixels: top-left, top-right, bottom-right, bottom-left of the chart. */
  markers: Point[];
  /** The chart as seen: turned by this many degrees clockwise, and mirrored (a selfie camera). */
  rotation: 0 | 90 | 180 | 270;
  mirrored: boolean;
  /** The paper as the camera saw it at the chart's centre, 0-255. */
  paperWhite: [number, number, number];
  meanError: number;
  maxError: number;
  swatches: SwatchReading[];
  /** Swatches left out of the fit as outliers (glare, a shadow, a smudge). */
  outliers: string[];
  warnings: string[];
}

/** Longest side the marker search works at; sampling always uses the full image. */
const DETECT_SIZE = 1600;

/**
 * Reads a photo of a printed calibration chart and fits the printer model: finds the corner
 * markers, maps the chart onto the photo (homography), takes the median colour of each swatch's
 * central quarter, divides by the paper white, and fits intended -> measured.
 */
export async function calibrateImage(input: string | Uint8Array | RasterImage, options: CalibrateOptions = {}): Promise<CalibrationResult> {
  const label = options.label ?? (typeof input === 'string' ? input : 'image');
  const image = isRaster(input) ? input : await decodeImage(input, { label });
  const base = typeof options.palette === 'object' ? options.palette : loadPalette(options.palette ?? 'default');
  const layout = chartLayout(base.count);
  const warnings: string[] = [];

  const { gray, scale } = await grayForDetection(image);
  const found = findMarkers(gray);
  const corners = pickCorners(found);
  if (!corners) {
    throw new UserError(
      `${label}: found ${found.length} of the chart's 4 corner markers; photograph the whole chart flat and straight on, evenly lit, with all four markers sharp and in the frame`,
    );
  }
  const imagePoints = corners.map((m) => [m.x / scale, m.y / scale] as Point);

  // Which marker is which: the chart may be turned or mirrored; the reading whose colours an
  // affine printer explains best is the right one.
  let best: { reading: number[][]; h: number[]; order: Point[]; rotation: number; mirrored: boolean; error: number } | undefined;
  for (const mirrored of [false, true]) {
    for (let rotation = 0; rotation < 4; rotation++) {
      const cycle = mirrored ? [...imagePoints].reverse() : imagePoints;
      const order = [0, 1, 2, 3].map((i) => cycle[(i + rotation) % 4]);
      const h = Array.from(homographyFromQuads(asQuad(layout.markers), asQuad(order)));
      const reading = sampleSwatches(image, layout, h);
      const error = fitPrinterModel(base.colors, Float32Array.from(reading.flat()), { knots: 2 }).meanError;
      if (!best || error < best.error) best = { reading, h, order, rotation, mirrored, error };
    }
  }
  if (!best) throw new Error('unreachable: no chart orientation tried');

  // The light on the chart, from the paper around and between the swatches: dividing by it
  // takes out exposure, white balance and uneven lighting, leaving what the printer did.
  const light = fitLight(layout, best.h, image);
  const paperWhite = light([layout.gridWidth / 2, layout.gridHeight / 2]);
  if (Math.min(...paperWhite) < 0.3) warnings.push(`the paper reads as ${paperWhite.map((v) => Math.round(v * 255)).join(',')}: the photo is dark; more light gives cleaner colours`);
  if (best.reading.some((s) => s.some((v) => v > 0.985))) warnings.push('some swatches are at the top of the camera range (overexposed); lower the exposure');
  const measured = new Float32Array(3 * base.count);
  for (const cell of layout.cells) {
    if (cell.index < 0) continue;
    const white = options.absolute ? [1, 1, 1] : light([cell.x + cell.size / 2, cell.y + cell.size / 2]);
    for (let c = 0; c < 3; c++) measured[3 * cell.index + c] = Math.min(1, best.reading[cell.index][c] / white[c]);
  }

  // Fit, then drop swatches the model cannot explain (glare, shadow) and fit again.
  let fit = fitPrinterModel(base.colors, measured);
  const sorted = [...fit.sampleErrors].sort((a, b) => a - b);
  const limit = Math.max(6, 4 * sorted[Math.floor(sorted.length / 2)]);
  const keep = fit.sampleErrors.map((e) => e <= limit);
  const outliers: string[] = [];
  if (keep.some((k) => !k) && keep.filter(Boolean).length >= 8) {
    const pick = (a: Float32Array): Float32Array => Float32Array.from(Array.from(a).filter((_, i) => keep[Math.floor(i / 3)]));
    fit = fitPrinterModel(pick(base.colors), pick(measured));
    keep.forEach((k, i) => !k && outliers.push(labelOf(layout, i)));
    warnings.push(`left out of the fit (glare, shadow or a smudge?): ${outliers.join(', ')}`);
  }
  const all = fitErrors(fit.model, base.colors, measured);

  const name = options.name ?? `${base.name}-calibrated`;
  const palette: Palette = {
    name,
    description: `${base.description ? `${base.description} ` : ''}Calibrated from ${basename(label)}.`.trim(),
    count: base.count,
    colors: base.colors,
    measured,
    printable: measured,
    model: fit.model,
    calibration: { date: new Date().toISOString(), photo: basename(label), basePalette: base.name, meanError: round(all.meanError), maxError: round(all.maxError) },
  };
  const path = options.save ? savePalette(palette, name) : undefined;
  const to255 = (v: ArrayLike<number>, i: number): [number, number, number] => [0, 1, 2].map((c) => round(v[3 * i + c] * 255)) as [number, number, number];
  return {
    palette: path ? { ...palette, path } : palette,
    path,
    markers: best.order,
    rotation: ((best.rotation * 90) % 360) as CalibrationResult['rotation'],
    mirrored: best.mirrored,
    paperWhite: paperWhite.map((v) => round(v * 255)) as [number, number, number],
    meanError: all.meanError,
    maxError: all.maxError,
    swatches: Array.from({ length: base.count }, (_, i) => ({ label: labelOf(layout, i), intended: to255(base.colors, i), measured: to255(measured, i), error: round(all.sampleErrors[i]) })),
    outliers,
    warnings,
  };
}

function isRaster(input: unknown): input is RasterImage {
  return typeof input === 'object' && input !== null && 'channels' in input && 'data' in input;
}

const round = (v: number): number => Math.round(v * 100) / 100;

function labelOf(layout: ChartLayout, index: number): string {
  return layout.cells.find((c) => c.index === index)?.label ?? String(index);
}

async function grayForDetection(image: RasterImage): Promise<{ gray: GrayImage; scale: number }> {
  const scale = Math.min(1, DETECT_SIZE / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const { data } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { gray: { width, height, data: Float32Array.from(data) }, scale: width / image.width };
}

/** Median colour (RGB in [0,1]) of each palette swatch's central quarter, by palette index. */
function sampleSwatches(image: RasterImage, layout: ChartLayout, h: number[]): number[][] {
  const swatches: number[][] = [];
  const k = 9;
  for (const cell of layout.cells) {
    if (cell.index < 0) continue;
    const samples: number[][] = [[], [], []];
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < k; i++) {
        const u = cell.x + cell.size * (0.25 + (0.5 * (i + 0.5)) / k);
        const v = cell.y + cell.size * (0.25 + (0.5 * (j + 0.5)) / k);
        const rgb = bilinear(image, applyH(h, u, v));
        for (let c = 0; c < 3; c++) samples[c].push(rgb[c]);
      }
    }
    swatches[cell.index] = samples.map(median);
  }
  return swatches;
}

/**
 * The paper's colour across the chart: a bilinear field per channel (exposure, white balance,
 * a light falling off to one side) fitted to the unprinted paper points, refitted without the
 * points that disagree (a label, a shadow, a speck).
 */
function fitLight(layout: ChartLayout, h: number[], image: RasterImage): (at: Point) => [number, number, number] {
  const points = layout.paperPoints.map((p) => ({ p, rgb: bilinear(image, applyH(h, ...p)) }));
  const level = median(points.map((s) => s.rgb[0] + s.rgb[1] + s.rgb[2]));
  let used = points.filter((s) => s.rgb[0] + s.rgb[1] + s.rgb[2] > 0.6 * level);
  const features = ([u, v]: Point): number[] => {
    const x = u / layout.gridWidth;
    const y = v / layout.gridHeight;
    return [1, x, y, x * y];
  };
  const fit = (samples: typeof points): Matrix => solve(new Matrix(samples.map((s) => features(s.p))), new Matrix(samples.map((s) => s.rgb)));
  let w = fit(used);
  const predict = (p: Point): number[] => {
    const f = features(p);
    return [0, 1, 2].map((c) => f.reduce((sum, fi, i) => sum + fi * w.get(i, c), 0));
  };
  const residuals = used.map((s) => Math.max(...predict(s.p).map((v, c) => Math.abs(v - s.rgb[c]))));
  const cut = Math.max(4 / 255, 3 * median(residuals));
  const inliers = used.filter((_, i) => residuals[i] <= cut);
  if (inliers.length >= 8) {
    used = inliers;
    w = fit(used);
  }
  return (p) => predict(p).map((v) => Math.max(1e-3, v)) as [number, number, number];
}

function bilinear(image: RasterImage, [x, y]: Point): number[] {
  const { width: W, height: H, channels: C, data } = image;
  const fx = Math.min(W - 1, Math.max(0, x - 0.5));
  const fy = Math.min(H - 1, Math.max(0, y - 0.5));
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(W - 1, x0 + 1);
  const y1 = Math.min(H - 1, y0 + 1);
  const tx = fx - x0;
  const ty = fy - y0;
  const out = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const a = data[(y0 * W + x0) * C + c] * (1 - tx) + data[(y0 * W + x1) * C + c] * tx;
    const b = data[(y1 * W + x0) * C + c] * (1 - tx) + data[(y1 * W + x1) * C + c] * tx;
    out[c] = (a * (1 - ty) + b * ty) / 255;
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

