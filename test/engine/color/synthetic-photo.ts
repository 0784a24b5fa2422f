import { join } from 'node:path';
import sharp from 'sharp';
import type { Palette } from '../../../src/engine/color';
import { applyH, asQuad, homographyFromQuads } from '../../../src/shared/homography';

type Point = [number, number];
import { exportChartPdf, type ChartPdfResult } from '../../../src/engine/print/chart-pdf';
import { renderPage, type Rendered } from '../../helpers/pdf';

/** A colour transform on RGB in [0,1]. */
export type Distortion = (rgb: [number, number, number]) => [number, number, number];

export interface PhotoSpec {
  palette: Palette;
  /** What the printer does to every printed pixel (paper included). */
  printer: Distortion;
  /** Camera exposure and white balance: per-channel gains on everything. */
  gains: [number, number, number];
  /** Gaussian sensor noise, standard deviation in 1/255 units. */
  noise: number;
  /** Light falling off from left to right across the photo: 0.2 makes the right edge 20% darker. */
  falloff?: number;
  /** Where the page's corners land in the photo: TL, TR, BR, BL of the page. */
  pageCorners: Point[];
  width: number;
  height: number;
  seed: number;
  dir: string;
}

export interface Photo {
  jpeg: Buffer;
  /** Where the chart's markers are in the photo (TL, TR, BR, BL of the chart), pixels. */
  markers: Point[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const rendered = new Map<string, Promise<{ chart: ChartPdfResult; page: Rendered }>>();

/** The chart as a perfect print would look, once per palette. */
function renderChart(palette: Palette, dir: string): Promise<{ chart: ChartPdfResult; page: Rendered }> {
  let pending = rendered.get(palette.name);
  if (!pending) {
    pending = exportChartPdf({ palette, out: join(dir, `chart-${palette.name}.pdf`) }).then(async (chart) => ({ chart, page: await renderPage(chart.path, 1, 100) }));
    rendered.set(palette.name, pending);
  }
  return pending;
}

/**
 * Renders the chart PDF (pdftoppm, 100 DPI), prints it through `printer`, lays the page on a
 * dark table in perspective, applies the camera gains and noise, and encodes a JPEG.
 */
export async function syntheticChartPhoto(spec: PhotoSpec): Promise<Photo> {
  const { chart, page } = await renderChart(spec.palette, spec.dir);
  const printed = new Float32Array(page.width * page.height * 3);
  for (let p = 0; p < page.width * page.height; p++) {
    const rgb = spec.printer([page.data[3 * p] / 255, page.data[3 * p + 1] / 255, page.data[3 * p + 2] / 255]);
    printed.set(rgb, 3 * p);
  }
  const pagePx: Point[] = [
    [0, 0],
    [page.width, 0],
    [page.width, page.height],
    [0, page.height],
  ];
  const toPage = homographyFromQuads(asQuad(spec.pageCorners), asQuad(pagePx));
  const toPhoto = homographyFromQuads(asQuad(pagePx), asQuad(spec.pageCorners));
  const random = rng(spec.seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const out = new Uint8Array(spec.width * spec.height * 3);
  const sample = (x: number, y: number, c: number): number => {
    const fx = Math.min(page.width - 1, Math.max(0, x - 0.5));
    const fy = Math.min(page.height - 1, Math.max(0, y - 0.5));
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const x1 = Math.min(page.width - 1, x0 + 1);
    const y1 = Math.min(page.height - 1, y0 + 1);
    const tx = fx - x0;
    const ty = fy - y0;
    const at = (xx: number, yy: number): number => printed[3 * (yy * page.width + xx) + c];
    return (at(x0, y0) * (1 - tx) + at(x1, y0) * tx) * (1 - ty) + (at(x0, y1) * (1 - tx) + at(x1, y1) * tx) * ty;
  };
  for (let y = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++) {
      const [u, v] = applyH(toPage, x + 0.5, y + 0.5);
      const onPage = u >= 0 && v >= 0 && u < page.width && v < page.height;
      for (let c = 0; c < 3; c++) {
        const base = onPage ? sample(u, v, c) : [0.28, 0.2, 0.14][c] * (0.8 + (0.4 * x) / spec.width);
        const light = 1 - ((spec.falloff ?? 0) * x) / spec.width;
        const value = base * light * spec.gains[c] + (gaussian() * spec.noise) / 255;
        out[3 * (y * spec.width + x) + c] = Math.round(255 * Math.min(1, Math.max(0, value)));
      }
    }
  }
  const jpeg = await sharp(out, { raw: { width: spec.width, height: spec.height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
  const pxPerMm = page.width / chart.pageMm.width;
  const markers = chart.markersMm.map(([x, y]) => applyH(toPhoto, x * pxPerMm, y * pxPerMm));
  return { jpeg, markers };
}
