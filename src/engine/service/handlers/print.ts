import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { UserError } from '../../errors';
import { CAPTION_HEIGHT, FOOTER_HEIGHT, HEADER_HEIGHT, MARK_GAP, MARK_LENGTH } from '../../print/furniture';
import { exportChartPdf, parsePaper, type Paper } from '../../print/index';
import { layoutSheet } from '../../print/layout';
import { MIN_DPI } from '../../print/export-pdf';
import type { CallHandler } from '../types';
import { runDir } from './runs';

/** The contract's paper (a name or a size) as the print module's Paper. */
export function toPaper(paper: 'a4' | 'letter' | 'a3' | 'legal' | { widthMm: number; heightMm: number }): Paper {
  return typeof paper === 'string' ? parsePaper('paper', paper) : parsePaper('paper', `${paper.widthMm}x${paper.heightMm}mm`);
}

// exportPdf's own spacing (src/engine/print/export-pdf.ts), so the preview places copies where the PDF will.
const MARGIN_MM = 10;
const GUTTER_MM = 4;

/** Where the copies will land on the first page, from the engine's sheet layout and the run's patch.png. */
export const printPreviewHandler: CallHandler<'printPreview'> = async (p) => {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(readFileSync(join(runDir(p.run), 'patch.png'))).metadata();
  } catch {
    throw new UserError(`run '${p.run}' has no readable patch.png`);
  }
  const widthMm = p.sizeMm;
  const heightMm = (widthMm * (meta.height ?? 1)) / (meta.width ?? 1);
  const dpi = (meta.width ?? 0) / (widthMm / 25.4);
  const layout = layoutSheet({
    paper: toPaper(p.paper),
    copies: p.copies,
    trimWidth: widthMm,
    trimHeight: heightMm,
    outset: p.marks ? p.bleedMm + MARK_GAP + MARK_LENGTH : p.bleedMm,
    captionHeight: CAPTION_HEIGHT,
    gutter: GUTTER_MM,
    margin: MARGIN_MM,
    header: HEADER_HEIGHT,
    footer: FOOTER_HEIGHT,
  });
  return {
    pageWidth: layout.pageWidth,
    pageHeight: layout.pageHeight,
    landscape: layout.landscape,
    perPage: layout.perPage,
    pages: layout.pages,
    widthMm,
    heightMm,
    dpi,
    bleedMm: p.bleedMm,
    copies: layout.copies.filter((c) => c.page === 0).map((c) => c.trim),
    warnings: dpi < MIN_DPI ? [`${meta.width} px at ${widthMm} mm is ${Math.round(dpi)} DPI, below ${MIN_DPI}; pixels may show`] : [],
  };
};

/** The calibration chart of a palette as PDF bytes, to print and photograph. */
export const exportChartHandler: CallHandler<'exportChart'> = async ({ palette, paper }) => {
  const dir = mkdtempSync(join(tmpdir(), 'patchlab-chart-'));
  try {
    const result = await exportChartPdf({ palette, paper: toPaper(paper), out: join(dir, 'chart.pdf') });
    return { bytes: readFileSync(result.path), swatches: result.swatches };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
