import { UserError } from '../errors';
import type { Rect } from './pdf';
import { formatMm, type Paper } from './units';

export interface SheetSpec {
  paper: Paper;
  copies: number;
  trimWidth: number;
  trimHeight: number;
  /** Room each copy needs beyond its trim on every side (bleed, crop marks). */
  outset: number;
  /** Room under each copy's outset for its caption. */
  captionHeight: number;
  gutter: number;
  margin: number;
  header: number;
  footer: number;
}

export interface SheetLayout {
  pageWidth: number;
  pageHeight: number;
  landscape: boolean;
  perPage: number;
  pages: number;
  /** The copies' trim rectangles (mm, top-left origin), page by page. */
  copies: { page: number; trim: Rect }[];
  /** Where the copies may go: between the header and the footer, inside the margins. */
  content: Rect;
}

function grid(spec: SheetSpec, pageWidth: number, pageHeight: number): { cols: number; rows: number; content: Rect } {
  const content = { x: spec.margin, y: spec.margin + spec.header, width: pageWidth - 2 * spec.margin, height: pageHeight - 2 * spec.margin - spec.header - spec.footer };
  const cellW = spec.trimWidth + 2 * spec.outset;
  const cellH = spec.trimHeight + 2 * spec.outset + spec.captionHeight;
  const cols = Math.max(0, Math.floor((content.width + spec.gutter) / (cellW + spec.gutter)));
  const rows = Math.max(0, Math.floor((content.height + spec.gutter) / (cellH + spec.gutter)));
  return { cols, rows, content };
}

/**
 * Tiles the copies on as few pages as possible: portrait, or landscape when that needs fewer
 * pages; each page's block of copies centred in its content area.
 */
export function layoutSheet(spec: SheetSpec): SheetLayout {
  const portrait = { w: Math.min(spec.paper.widthMm, spec.paper.heightMm), h: Math.max(spec.paper.widthMm, spec.paper.heightMm) };
  const options = [
    { landscape: false, pageWidth: portrait.w, pageHeight: portrait.h },
    { landscape: true, pageWidth: portrait.h, pageHeight: portrait.w },
  ].map((o) => ({ ...o, ...grid(spec, o.pageWidth, o.pageHeight) }));
  const pagesFor = (o: { cols: number; rows: number }): number => (o.cols * o.rows > 0 ? Math.ceil(spec.copies / (o.cols * o.rows)) : Infinity);
  const best = pagesFor(options[1]) < pagesFor(options[0]) ? options[1] : options[0];
  const perPage = best.cols * best.rows;
  if (perPage === 0) {
    const needW = spec.trimWidth + 2 * spec.outset;
    const needH = spec.trimHeight + 2 * spec.outset + spec.captionHeight;
    const room = options[0].content;
    throw new UserError(
      `a ${formatMm(spec.trimWidth)} × ${formatMm(spec.trimHeight)} mm print needs ${formatMm(needW)} × ${formatMm(needH)} mm with its bleed, marks and caption, ` +
        `more than the ${formatMm(room.width)} × ${formatMm(room.height)} mm free on ${spec.paper.name}; use a smaller --size or a larger --paper`,
    );
  }
  const pages = Math.ceil(spec.copies / perPage);
  const cellW = spec.trimWidth + 2 * spec.outset;
  const cellH = spec.trimHeight + 2 * spec.outset + spec.captionHeight;
  const copies: SheetLayout['copies'] = [];
  for (let page = 0; page < pages; page++) {
    const onPage = Math.min(perPage, spec.copies - page * perPage);
    const cols = Math.min(best.cols, onPage);
    const rows = Math.ceil(onPage / best.cols);
    const blockW = cols * cellW + (cols - 1) * spec.gutter;
    const blockH = rows * cellH + (rows - 1) * spec.gutter;
    const x0 = best.content.x + (best.content.width - blockW) / 2;
    const y0 = best.content.y + (best.content.height - blockH) / 2;
    for (let i = 0; i < onPage; i++) {
      const col = i % best.cols;
      const row = Math.floor(i / best.cols);
      copies.push({
        page,
        trim: { x: x0 + col * (cellW + spec.gutter) + spec.outset, y: y0 + row * (cellH + spec.gutter) + spec.outset, width: spec.trimWidth, height: spec.trimHeight },
      });
    }
  }
  return { pageWidth: best.pageWidth, pageHeight: best.pageHeight, landscape: best.landscape, perPage, pages, copies, content: best.content };
}
