/** Paper sizes in millimetres (portrait). */
export const PAPERS: Record<string, { width: number; height: number; label: string }> = {
  a4: { width: 210, height: 297, label: 'A4' },
  letter: { width: 215.9, height: 279.4, label: 'US Letter' },
  a3: { width: 297, height: 420, label: 'A3' },
};

export interface TileLayout {
  perPage: number;
  pages: number;
  cells: { x: number; y: number }[];
  cell: number;
}

/**
 * How many copies fit on the first page for the preview: copies of `size` mm plus bleed on both
 * sides, separated by a gutter, inside a printable margin.
 */
export function tileCopies(paper: { width: number; height: number }, size: number, bleed: number, copies: number, margin = 10, gutter = 8): TileLayout {
  const cell = size + 2 * bleed;
  const cols = Math.max(0, Math.floor((paper.width - 2 * margin + gutter) / (cell + gutter)));
  const rows = Math.max(0, Math.floor((paper.height - 2 * margin - 18 + gutter) / (cell + gutter)));
  const perPage = cols * rows;
  const cells: { x: number; y: number }[] = [];
  for (let i = 0; i < Math.min(copies, perPage); i++) {
    cells.push({ x: margin + (i % cols) * (cell + gutter), y: margin + Math.floor(i / cols) * (cell + gutter) });
  }
  return { perPage, pages: perPage > 0 ? Math.ceil(copies / perPage) : 0, cells, cell };
}
