import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EYEGLASS_FRAMES } from '../../../src/engine/masks/eyeglasses';
import { exportPdf } from '../../../src/engine/print/export-pdf';
import { mmToPt } from '../../../src/engine/print/units';
import { inflateBox, MM_PER_PT, pdfImages, pdfInfo, pdfText, renderPage, type PdfBox, type Rendered } from '../../helpers/pdf';
import { tempDir } from '../../helpers/paths';
import { circlePatch, glassesRun, GREEN, isDark, isMagenta, RED, solidPatch } from './fixtures';

let dir: string;
const mmPerPx = (r: Rendered): number => 25.4 / r.dpi;

beforeAll(async () => {
  dir = tempDir();
  await solidPatch(join(dir, 'solid.png'), 300, 200);
  await circlePatch(join(dir, 'circle.png'), 400, 190);
});

/** Longest run of pixels matching `match` along row y (or column x when `vertical`). */
function extent(r: Rendered, at: number, vertical: boolean, match: (rgb: number[]) => boolean): number {
  let first = -1;
  let last = -1;
  const n = vertical ? r.height : r.width;
  for (let i = 0; i < n; i++) {
    const p = vertical ? i * r.width + at : at * r.width + i;
    if (match([r.data[3 * p], r.data[3 * p + 1], r.data[3 * p + 2]])) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? 0 : last - first + 1;
}

const near = (rgb: number[], target: number[], tolerance = 40): boolean => rgb.every((v, i) => Math.abs(v - target[i]) <= tolerance);

/** Every pixel matching `match`, in page millimetres from the page's top-left corner. */
function pixelsMm(r: Rendered, match: (r: number, g: number, b: number) => boolean): [number, number][] {
  const out: [number, number][] = [];
  const s = mmPerPx(r);
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const p = 3 * (y * r.width + x);
      if (match(r.data[p], r.data[p + 1], r.data[p + 2])) out.push([(r.originX + x + 0.5) * s, (r.originY + y + 0.5) * s]);
    }
  }
  return out;
}

/** A PDF box as a top-left-origin rectangle in millimetres. */
function boxMm(box: PdfBox, pageHeightPt: number): { x1: number; y1: number; x2: number; y2: number } {
  return { x1: box.x1 * MM_PER_PT, x2: box.x2 * MM_PER_PT, y1: (pageHeightPt - box.y2) * MM_PER_PT, y2: (pageHeightPt - box.y1) * MM_PER_PT };
}

describe('exportPdf: true size', () => {
  it('prints the patch at the requested width within 0.2 mm (600 DPI), its pixels embedded as they are', async () => {
    const out = join(dir, 'size.pdf');
    const result = await exportPdf({ source: join(dir, 'solid.png'), sizeMm: 80, out });
    expect(result).toMatchObject({ path: out, pages: 1, widthMm: 80, pixels: { width: 300, height: 200 }, embedded: { width: 300, height: 200 } });
    expect(result.heightMm).toBeCloseTo(80 * (200 / 300), 9);
    expect(result.dpi).toBeCloseTo(300 / (80 / 25.4), 6);
    expect(result.warnings.join('\n')).toMatch(/300 px wide: at 80 mm that is 95 DPI, below 150/);

    const { pages } = pdfInfo(out);
    const trim = pages[0].boxes.TrimBox;
    expect((trim.x2 - trim.x1) * MM_PER_PT).toBeCloseTo(80, 2);
    const r = await renderPage(out, 1, 600, inflateBox(trim, mmToPt(3)), pages[0].heightPt);
    const patch = (rgb: number[]): boolean => near(rgb, GREEN) || near(rgb, RED);
    const width = extent(r, Math.floor(r.height / 2), false, patch) * mmPerPx(r);
    const height = extent(r, Math.floor(r.width / 2), true, patch) * mmPerPx(r);
    expect(Math.abs(width - 80)).toBeLessThan(0.2);
    expect(Math.abs(height - 80 * (200 / 300))).toBeLessThan(0.2);

    const images = pdfImages(out);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ type: 'image', width: 300, height: 200, ppi: 95 });
  });
});

describe('exportPdf: bleed, crop marks and page boxes', () => {
  let out: string;
  beforeAll(async () => {
    out = join(dir, 'bleed.pdf');
    await exportPdf({ source: join(dir, 'solid.png'), sizeMm: 80, bleedMm: 3, marks: true, out });
  });

  it('sets TrimBox to the patch and BleedBox 3 mm around it', () => {
    const { boxes } = pdfInfo(out).pages[0];
    const trim = boxes.TrimBox;
    const bleed = boxes.BleedBox;
    expect((trim.x2 - trim.x1) * MM_PER_PT).toBeCloseTo(80, 2);
    expect((trim.y2 - trim.y1) * MM_PER_PT).toBeCloseTo(80 * (200 / 300), 2);
    for (const [a, b] of [
      [trim.x1 - bleed.x1, 3],
      [bleed.x2 - trim.x2, 3],
      [trim.y1 - bleed.y1, 3],
      [bleed.y2 - trim.y2, 3],
    ]) {
      expect(a * MM_PER_PT).toBeCloseTo(b, 2);
    }
  });

  it('extends the image by repeating its edge pixels, embedding the bleed pixels with the patch', async () => {
    // 3 mm at 80 mm / 300 px is 11.25 px: 12 whole pixels each side.
    expect(pdfImages(out)[0]).toMatchObject({ width: 324, height: 224 });
    const { pages } = pdfInfo(out);
    const r = await renderPage(out, 1, 600, inflateBox(pages[0].boxes.TrimBox, mmToPt(5)), pages[0].heightPt);
    const red = (rgb: number[]): boolean => near(rgb, RED);
    // Along the middle row, the red border pixel repeats outward to fill the bleed on both sides.
    const row = Math.floor(r.height / 2);
    const s = mmPerPx(r);
    let leftRed = 0;
    for (let x = 0; x < r.width && !near([...r.data.subarray(3 * (row * r.width + x), 3 * (row * r.width + x) + 3)], GREEN); x++) if (red([...r.data.subarray(3 * (row * r.width + x), 3 * (row * r.width + x) + 3)])) leftRed++;
    expect(Math.abs(leftRed * s - (3 + 80 / 300))).toBeLessThan(0.2); // bleed + the border pixel itself
    const width = extent(r, row, false, (rgb) => red(rgb) || near(rgb, GREEN)) * s;
    expect(Math.abs(width - 86)).toBeLessThan(0.2);
  });

  it('draws crop marks on the trim lines, outside the bleed, at all four corners', async () => {
    const { pages } = pdfInfo(out);
    const page = pages[0];
    const trim = boxMm(page.boxes.TrimBox, page.heightPt);
    const r = await renderPage(out, 1, 600, inflateBox(page.boxes.TrimBox, mmToPt(3 + 2 + 5 + 0.5)), page.heightPt);
    const dark = pixelsMm(r, isDark);
    expect(dark.length).toBeGreaterThan(100);
    const corners = new Set<string>();
    for (const [x, y] of dark) {
      const outsideBleed = x < trim.x1 - 3 || x > trim.x2 + 3 || y < trim.y1 - 3 || y > trim.y2 + 3;
      expect(outsideBleed).toBe(true);
      const onTrimLine = [trim.x1, trim.x2].some((v) => Math.abs(x - v) < 0.15) || [trim.y1, trim.y2].some((v) => Math.abs(y - v) < 0.15);
      expect(onTrimLine).toBe(true);
      corners.add(`${x < (trim.x1 + trim.x2) / 2 ? 'left' : 'right'}-${y < (trim.y1 + trim.y2) / 2 ? 'top' : 'bottom'}`);
    }
    expect(corners.size).toBe(4);
  });
});

describe('exportPdf: cut contour', () => {
  it('strokes the mask outline in a Separation colour space named CutContour (circle)', async () => {
    const out = join(dir, 'circle.pdf');
    const result = await exportPdf({ source: join(dir, 'circle.png'), sizeMm: 60, cutContour: true, out });
    expect(result.cutPaths).toBe(1);
    expect(readFileSync(out, 'latin1')).toMatch(/\/Separation\s*\/CutContour\s*\/DeviceCMYK/);

    const { pages } = pdfInfo(out);
    const page = pages[0];
    const trim = boxMm(page.boxes.TrimBox, page.heightPt);
    const r = await renderPage(out, 1, 300, inflateBox(page.boxes.TrimBox, mmToPt(2)), page.heightPt);
    const cut = pixelsMm(r, isMagenta);
    const cx = (trim.x1 + trim.x2) / 2;
    const cy = (trim.y1 + trim.y2) / 2;
    const radius = (190 / 400) * 60;
    const sectors = new Set<number>();
    for (const [x, y] of cut) {
      expect(Math.abs(Math.hypot(x - cx, y - cy) - radius)).toBeLessThan(0.2);
      sectors.add(Math.floor(((Math.atan2(y - cy, x - cx) + Math.PI) / (2 * Math.PI)) * 72));
    }
    expect(sectors.size).toBe(72); // the whole way round, every 5 degrees
  });

  it.each(EYEGLASS_FRAMES)('traces an arbitrary mask with holes (eyeglass frame: %s) and scales it to the face width', async (frame) => {
    const run = join(dir, `glasses-run-${frame}`);
    const mask = await glassesRun(run, 600, frame);
    const result = await exportPdf({ source: run, faceWidthMm: 130, cutContour: true });
    expect(result.path).toBe(join(run, 'glasses.pdf'));
    expect(result.cutPaths).toBe(3); // the outside and two lenses
    expect(result.widthMm).toBeCloseTo((130 * 150) / 140, 6);

    const { pages, fields } = pdfInfo(result.path);
    expect(fields.Title).toMatch(/eyeglass frame .*dodge.*faceres/);
    expect(fields.Subject).toMatch(/run glasses-0042/);
    const page = pages[0];
    const trim = boxMm(page.boxes.TrimBox, page.heightPt);
    const r = await renderPage(result.path, 1, 300, inflateBox(page.boxes.TrimBox, mmToPt(1)), page.heightPt);
    const cut = pixelsMm(r, isMagenta);
    const pitch = result.widthMm / mask.width;
    const alphaAt = (u: number, v: number): number => {
      const x = Math.min(mask.width - 1, Math.max(0, Math.floor(u)));
      const y = Math.min(mask.height - 1, Math.max(0, Math.floor(v)));
      return u < 0 || v < 0 || u >= mask.width || v >= mask.height ? 0 : mask.alpha[y * mask.width + x];
    };
    // Every cut pixel lies on the mask boundary: within 0.25 mm there is frame and there is not.
    const reach = 0.25 / pitch;
    const onBoundary = (u: number, v: number): boolean => {
      let inside = false;
      let outside = false;
      for (let dy = -reach; dy <= reach; dy += reach / 2) {
        for (let dx = -reach; dx <= reach; dx += reach / 2) {
          if (alphaAt(u + dx, v + dy) >= 128) inside = true;
          else outside = true;
        }
      }
      return inside && outside;
    };
    const off = cut.filter(([x, y]) => !onBoundary((x - trim.x1) / pitch, (y - trim.y1) / pitch));
    expect(off.length).toBeLessThanOrEqual(cut.length * 0.002);
    // ...and the boundary is cut everywhere: each boundary pixel of the mask has a cut pixel within 0.25 mm.
    const grid = new Set(cut.map(([x, y]) => `${Math.round(x / 0.1)},${Math.round(y / 0.1)}`));
    let boundary = 0;
    let covered = 0;
    for (let v = 1; v < mask.height - 1; v++) {
      for (let u = 1; u < mask.width - 1; u++) {
        const a = mask.alpha[v * mask.width + u] >= 128;
        if (a === mask.alpha[v * mask.width + u + 1] >= 128 && a === mask.alpha[(v + 1) * mask.width + u] >= 128) continue;
        boundary++;
        const x = trim.x1 + (u + 1) * pitch;
        const y = trim.y1 + (v + 1) * pitch;
        let hit = false;
        for (let dy = -2; dy <= 2 && !hit; dy++) for (let dx = -2; dx <= 2 && !hit; dx++) hit = grid.has(`${Math.round(x / 0.1) + dx},${Math.round(y / 0.1) + dy}`);
        if (hit) covered++;
      }
    }
    expect(boundary).toBeGreaterThan(500);
    expect(covered / boundary).toBeGreaterThan(0.99);

    const text = pdfText(result.path);
    expect(text).toMatch(/Mounting the frame/);
    expect(text).toMatch(/face 130 mm wide/);
    expect(text).toMatch(/your right eye/);
  });
});

describe('exportPdf: a glasses run optimised at a larger frame scale', () => {
  it('prints the frame that much wider for the same face, and names that face in the mounting note', async () => {
    const run = join(dir, 'glasses-run-scaled');
    await glassesRun(run, 600, 'thick', 1.2);
    const result = await exportPdf({ source: run, faceWidthMm: 130 });
    expect(result.widthMm).toBeCloseTo(((130 * 150) / 140) * 1.2, 6);
    expect(pdfText(result.path)).toMatch(/face 130 mm wide/);
  });
});

describe('exportPdf: input checks', () => {
  it('refuses a glasses print whose image does not span the frame silhouette', async () => {
    await expect(exportPdf({ source: join(dir, 'solid.png'), kind: 'glasses', out: join(dir, 'x.pdf') })).rejects.toThrow(/solid\.png is 300x200, but an eyeglass frame spans the 150:51 viewBox/);
  });

  it('needs a size for a patch, and takes a face width only for frames', async () => {
    await expect(exportPdf({ source: join(dir, 'solid.png'), out: join(dir, 'x.pdf') })).rejects.toThrow(/--size is required/);
    await expect(exportPdf({ source: join(dir, 'solid.png'), faceWidthMm: 140, out: join(dir, 'x.pdf') })).rejects.toThrow(/--face-width applies to eyeglass frames/);
  });
});

describe('exportPdf: layout over pages', () => {
  it('tiles copies within the margins on several pages, each with boxes, captions, the 50 mm bar and the actual-size note', async () => {
    const out = join(dir, 'copies.pdf');
    const result = await exportPdf({ source: join(dir, 'solid.png'), sizeMm: 80, copies: 9, bleedMm: 3, marks: true, out });
    // 80 x 53.3 mm plus 10 mm of bleed and marks each side: 1 x 3 on A4 portrait (landscape's
    // 2 x 2 would not save a page).
    expect(result.landscape).toBe(false);
    expect(result.perPage).toBe(3);
    expect(result.pages).toBe(3);
    const { pages } = pdfInfo(out);
    expect(pages).toHaveLength(3);
    for (const [i, page] of pages.entries()) {
      expect(page.boxes.TrimBox).toBeDefined();
      expect(page.boxes.BleedBox).toBeDefined();
      const bleed = boxMm(page.boxes.BleedBox, page.heightPt);
      expect(bleed.x1).toBeGreaterThanOrEqual(10);
      expect(bleed.y1).toBeGreaterThanOrEqual(10);
      expect(page.widthPt * MM_PER_PT - bleed.x2).toBeGreaterThanOrEqual(10);
      const text = pdfText(out, i + 1);
      expect(text).toMatch(/Print at 100% \/ actual size/);
      expect(text).toMatch(/50 mm/);
      expect(text).toMatch(new RegExp(`page ${i + 1} of 3`));
    }
    const all = pdfText(out);
    for (let k = 1; k <= 9; k++) expect(all).toContain(`${k}/9`);
    expect(pdfImages(out).filter((i) => i.type === 'image').every((i) => i.width === 324)).toBe(true);

    // The scale bar measures 50 mm: from its left outline to its right outline, 10 mm from the
    // left edge and 4 mm under the footer rule (15 mm above the bottom margin).
    const page = pages[0];
    const pageHeightMm = page.heightPt * MM_PER_PT;
    const barTop = pageHeightMm - 10 - 15 + 4;
    const box = { x1: mmToPt(8), x2: mmToPt(63), y1: page.heightPt - mmToPt(barTop + 2.2), y2: page.heightPt - mmToPt(barTop) };
    const r = await renderPage(out, 1, 600, box, page.heightPt);
    const bar = extent(r, Math.floor(r.height / 2), false, (rgb) => isDark(rgb[0], rgb[1], rgb[2])) * mmPerPx(r);
    expect(Math.abs(bar - 50)).toBeLessThan(0.2);
  });
});
