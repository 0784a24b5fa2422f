import { PT_PER_MM } from './units';
import { REGISTRATION, type Pdf, type Rect } from './pdf';

/** Everything except the artwork: header, footer with the scale bar, crop marks, captions. */

export const INK = '#1a1a1a';
export const MUTED = '#6b6b6b';
export const HAIRLINE = 0.25 / PT_PER_MM; // 0.25 pt in mm

const pt = (points: number): number => points / PT_PER_MM;

export const HEADER_HEIGHT = 14;
export const FOOTER_HEIGHT = 15;
export const CAPTION_HEIGHT = 4.5;
export const MARK_LENGTH = 5;
/** Crop marks start this far outside the bleed, so they never print into it. */
export const MARK_GAP = 2;

export interface PageText {
  title: string;
  subtitle: string;
  /** One line under the scale-bar instructions: size, pixels, DPI, bleed, what to cut. */
  details: string;
}

export function drawHeader(doc: Pdf, pageWidth: number, margin: number, text: PageText, page: number, pages: number): void {
  const right = pageWidth - margin;
  doc.fillColor(INK).font('Helvetica-Bold').fontSize(pt(11));
  doc.text(text.title, margin, margin, { width: right - margin - 30, lineBreak: false, ellipsis: true });
  doc.font('Helvetica').fontSize(pt(8)).fillColor(MUTED);
  if (pages > 1) doc.text(`page ${page + 1} of ${pages}`, right - 30, margin + pt(2.5), { width: 30, align: 'right', lineBreak: false });
  doc.text(text.subtitle, margin, margin + pt(15), { width: right - margin, lineBreak: false, ellipsis: true });
  doc
    .moveTo(margin, margin + HEADER_HEIGHT - 3)
    .lineTo(right, margin + HEADER_HEIGHT - 3)
    .lineWidth(HAIRLINE)
    .strokeColor('#bdbdbd')
    .stroke();
}

/** The 50 mm scale bar and the instruction to print at actual size, on every page. */
export function drawFooter(doc: Pdf, pageWidth: number, pageHeight: number, margin: number, text: PageText): void {
  const top = pageHeight - margin - FOOTER_HEIGHT;
  const right = pageWidth - margin;
  doc.moveTo(margin, top).lineTo(right, top).lineWidth(HAIRLINE).strokeColor('#bdbdbd').stroke();
  const barY = top + 4;
  const barH = 2.2;
  for (let i = 0; i < 5; i++) {
    doc.rect(margin + 10 * i, barY, 10, barH).fillColor(i % 2 === 0 ? INK : '#ffffff').fill();
  }
  doc.rect(margin, barY, 50, barH).lineWidth(HAIRLINE).strokeColor(INK).stroke();
  doc.font('Helvetica').fontSize(pt(6)).fillColor(INK);
  for (let i = 0; i <= 5; i++) {
    const x = margin + 10 * i;
    doc.moveTo(x, barY + barH).lineTo(x, barY + barH + 1).lineWidth(HAIRLINE).strokeColor(INK).stroke();
    const label = i === 5 ? '50 mm' : String(10 * i);
    const w = 12;
    doc.text(label, i === 5 ? x - 2 : x - w / 2, barY + barH + 1.4, { width: i === 5 ? w : w, align: i === 5 ? 'left' : 'center', lineBreak: false });
  }
  const textX = margin + 62;
  const textW = right - textX;
  doc.font('Helvetica-Bold').fontSize(pt(8.5)).fillColor(INK);
  doc.text('Print at 100% / actual size', textX, top + 3, { width: textW, lineBreak: false, continued: true });
  doc.font('Helvetica').text(' \u2014 turn off \u201cfit to page\u201d and any scaling.', { lineBreak: false });
  doc.fontSize(pt(7.5)).fillColor(MUTED);
  doc.text('Check with a ruler: the bar on the left must measure exactly 50 mm.', textX, top + 7, { width: textW, lineBreak: false });
  doc.text(text.details, textX, top + 10.5, { width: textW, lineBreak: false, ellipsis: true });
}

/** Corner crop marks outside the bleed, in the registration colour, 0.25 pt. */
export function drawCropMarks(doc: Pdf, trim: Rect, bleed: number): void {
  const gap = bleed + MARK_GAP;
  const x1 = trim.x;
  const y1 = trim.y;
  const x2 = trim.x + trim.width;
  const y2 = trim.y + trim.height;
  doc.save().lineWidth(HAIRLINE).strokeColor(REGISTRATION).lineCap('butt');
  for (const [x, y, sx, sy] of [
    [x1, y1, -1, -1],
    [x2, y1, 1, -1],
    [x1, y2, -1, 1],
    [x2, y2, 1, 1],
  ]) {
    doc.moveTo(x + sx * gap, y).lineTo(x + sx * (gap + MARK_LENGTH), y);
    doc.moveTo(x, y + sy * gap).lineTo(x, y + sy * (gap + MARK_LENGTH));
  }
  doc.stroke().restore();
}

export function drawCaption(doc: Pdf, text: string, centreX: number, top: number, maxWidth: number): void {
  doc.font('Helvetica').fontSize(pt(6.5)).fillColor(MUTED);
  doc.text(text, centreX - maxWidth / 2, top, { width: maxWidth, align: 'center', lineBreak: false, ellipsis: true });
}
