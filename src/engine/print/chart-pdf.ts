import { resolve } from 'node:path';
import { chartLayout, LABEL_OFFSET } from '../color/chart';
import { loadPalette, type Palette } from '../color/palette';
import { UserError } from '../errors';
import { drawFooter, drawHeader, FOOTER_HEIGHT, HAIRLINE, HEADER_HEIGHT, INK, MUTED } from './furniture';
import { addPage, createPdf, writePdf, type Pdf } from './pdf';
import { A4 } from './export-pdf';
import { formatMm, PT_PER_MM, type Paper } from './units';

export interface ChartPdfOptions {
  /** A palette name or path, or a loaded palette; `default` when absent. */
  palette?: string | Palette;
  paper?: Paper;
  out: string;
}

export interface ChartPdfResult {
  path: string;
  palette: string;
  swatches: number;
  swatchMm: number;
  /** Marker centres on the page, mm from its top-left corner: TL, TR, BR, BL. */
  markersMm: [number, number][];
  pageMm: { width: number; height: number };
}

const pt = (points: number): number => points / PT_PER_MM;
const MARGIN = 10;
const INSTRUCTIONS_HEIGHT = 40;

/** One page: the palette as labelled swatches between four corner markers, and how to use it. */
export async function exportChartPdf(options: ChartPdfOptions): Promise<ChartPdfResult> {
  const palette = typeof options.palette === 'object' ? options.palette : loadPalette(options.palette ?? 'default');
  const paper = options.paper ?? A4;
  const pageWidth = Math.min(paper.widthMm, paper.heightMm);
  const pageHeight = Math.max(paper.widthMm, paper.heightMm);
  const layout = chartLayout(palette.count);
  const needW = layout.bounds.width;
  const needH = layout.bounds.height + INSTRUCTIONS_HEIGHT;
  const freeW = pageWidth - 2 * MARGIN;
  const freeH = pageHeight - 2 * MARGIN - HEADER_HEIGHT - FOOTER_HEIGHT;
  if (needW > freeW || needH > freeH) throw new UserError(`the chart needs ${formatMm(needW)} × ${formatMm(needH)} mm, more than ${paper.name} has free; use --paper a4 or letter`);

  const text = {
    title: `Colour calibration chart \u2014 palette \u201c${palette.name}\u201d`,
    subtitle: `${palette.count} swatches \u00b7 print on the printer and paper you will print the patch with, using the same settings`,
    details: `palette ${palette.name}  \u00b7  ${palette.count} swatches of ${formatMm(layout.swatch)} mm  \u00b7  unprinted cells are the paper-white reference`,
  };
  const doc = createPdf({ title: text.title, subject: `patchlab calibration chart for palette ${palette.name} (${palette.count} colours)`, keywords: ['patchlab', 'calibration chart', palette.name] });
  addPage(doc, pageWidth, pageHeight);
  drawHeader(doc, pageWidth, MARGIN, text, 0, 1);
  const originX = MARGIN + (freeW - layout.bounds.width) / 2 - layout.bounds.x;
  const originY = MARGIN + HEADER_HEIGHT + (freeH - INSTRUCTIONS_HEIGHT - layout.bounds.height) / 2 - layout.bounds.y;
  drawChart(doc, palette, originX, originY);
  drawInstructions(doc, MARGIN, pageHeight - MARGIN - FOOTER_HEIGHT - INSTRUCTIONS_HEIGHT + 2, freeW, palette.name);
  drawFooter(doc, pageWidth, pageHeight, MARGIN, text);
  const path = resolve(options.out);
  await writePdf(doc, path);
  return {
    path,
    palette: palette.name,
    swatches: palette.count,
    swatchMm: layout.swatch,
    markersMm: layout.markers.map(([x, y]) => [originX + x, originY + y]),
    pageMm: { width: pageWidth, height: pageHeight },
  };
}

function drawChart(doc: Pdf, palette: Palette, ox: number, oy: number): void {
  const layout = chartLayout(palette.count);
  for (const cell of layout.cells) {
    const x = ox + cell.x;
    const y = oy + cell.y;
    if (cell.index >= 0) {
      const rgb = [0, 1, 2].map((c) => Math.round(palette.colors[3 * cell.index + c] * 255)) as [number, number, number];
      doc.rect(x, y, cell.size, cell.size).fillColor(rgb).fill();
      // A near-white swatch would vanish into the paper: outline it (the outline is never sampled).
      if (rgb.every((v) => v > 235)) doc.save().rect(x, y, cell.size, cell.size).lineWidth(HAIRLINE).strokeColor('#c8c8c8').stroke().restore();
    } else {
      doc.save().rect(x, y, cell.size, cell.size).lineWidth(HAIRLINE).strokeColor('#c8c8c8').dash(0.6, { space: 0.6 }).stroke().undash().restore();
      doc.font('Helvetica').fontSize(pt(5)).fillColor(MUTED).text('paper', x, y + cell.size - pt(7), { width: cell.size, align: 'center', lineBreak: false });
    }
  }
  doc.font('Helvetica').fontSize(pt(6.5)).fillColor(MUTED);
  const pitch = layout.swatch + layout.gap;
  for (let col = 0; col < layout.cols; col++) {
    doc.text(String(col + 1), ox + col * pitch, oy - LABEL_OFFSET, { width: layout.swatch, align: 'center', lineBreak: false });
  }
  for (let row = 0; row < layout.rows; row++) {
    const label = layout.cells[row * layout.cols].label.replace(/\d+$/, '');
    doc.text(label, ox - LABEL_OFFSET - 2, oy + row * pitch + layout.swatch / 2 - pt(3), { width: 6, align: 'center', lineBreak: false });
  }
  const m = layout.markerSize / 7;
  for (const [cx, cy] of layout.markers) {
    const x = ox + cx - 3.5 * m;
    const y = oy + cy - 3.5 * m;
    // Ring then centre, filled even-odd so the white gap is paper, not white ink.
    doc.rect(x, y, 7 * m, 7 * m).rect(x + m, y + m, 5 * m, 5 * m).fillColor('#000000').fill('even-odd');
    doc.rect(x + 2 * m, y + 2 * m, 3 * m, 3 * m).fillColor('#000000').fill();
  }
}

function drawInstructions(doc: Pdf, x: number, y: number, width: number, paletteName: string): void {
  doc.font('Helvetica-Bold').fontSize(pt(8.5)).fillColor(INK).text('How to calibrate', x, y, { width, lineBreak: false });
  // Each step is a list of runs; a command is set in Courier so it reads as something to type.
  const steps: [string, boolean][][] = [
    [['Print this page at 100% / actual size on the printer and paper you will print the patch with, using the same driver and colour settings. Let the ink dry.', false]],
    [['Lay it flat in the light you will test in (no glare or hard shadows) and photograph it straight on, with all four corner markers in the picture and sharp. Fill the frame with the chart.', false]],
    [
      ['Run ', false],
      [`patchlab calibrate PHOTO.jpg --palette ${paletteName} --name my-printer`, true],
      [' (or Calibrate in the app\u2019s webcam view). It finds the markers, reads every swatch, divides by the paper white, fits the printer colour model and saves the palette \u201cmy-printer\u201d for attacks.', false],
    ],
  ];
  let top = y + 4.5;
  doc.fontSize(pt(7.5)).fillColor(INK);
  for (const [i, runs] of steps.entries()) {
    doc.font('Helvetica').text(`${i + 1}.`, x, top, { width: 4, lineBreak: false });
    runs.forEach(([run, code], j) => {
      doc.font(code ? 'Courier' : 'Helvetica');
      const options = { width: width - 4, continued: j < runs.length - 1 };
      if (j === 0) doc.text(run, x + 4, top, options);
      else doc.text(run, options);
    });
    top = doc.y + 0.8;
  }
}
