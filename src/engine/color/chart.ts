/**
 * Geometry of the calibration chart, in millimetres, shared by the chart PDF and `calibrate`.
 * Origin: the top-left corner of the first swatch; x right, y down. It depends only on how many
 * colours the palette has, so a photo of a chart can be read back from the palette alone (and
 * the printer may scale it: the four corner markers fix the mapping).
 */

export interface ChartCell {
  /** Palette index, or -1 for a paper-white reference cell (left unprinted). */
  index: number;
  label: string;
  x: number;
  y: number;
  size: number;
}

export interface ChartLayout {
  cols: number;
  rows: number;
  /** Swatch side and the gap between swatches. */
  swatch: number;
  gap: number;
  gridWidth: number;
  gridHeight: number;
  cells: ChartCell[];
  /** Marker centres: top-left, top-right, bottom-right, bottom-left. */
  markers: [number, number][];
  /** Side of a marker (7 modules: a 1-module black ring, 1 white, a 3x3 black centre). */
  markerSize: number;
  /** Everything printed, markers included. */
  bounds: { x: number; y: number; width: number; height: number };
  /**
   * Unprinted paper where calibration reads the light falling on the chart: a band just outside
   * the grid (labels sit further out) and the centres of the paper cells.
   */
  paperPoints: [number, number][];
}

/** Row and column labels sit this far outside the grid, clear of the paper band. */
export const LABEL_OFFSET = 7.5;
const PAPER_BAND = 1.3;

const MAX_GRID_WIDTH = 150;
const MAX_GRID_HEIGHT = 175;
export const MARKER_SIZE = 10.5;
/** Marker centre distance from the grid's corner, along each axis. */
const MARKER_OFFSET = 8;

export function chartLayout(colorCount: number): ChartLayout {
  // At least one cell stays unprinted: the paper-white reference that calibration divides by.
  const cells = colorCount + 1;
  const cols = Math.max(2, Math.ceil(Math.sqrt(cells)));
  const rows = Math.ceil(cells / cols);
  const pitch = Math.min(15, MAX_GRID_WIDTH / cols, MAX_GRID_HEIGHT / rows);
  const gap = (pitch * 2) / 15;
  const swatch = pitch - gap;
  const gridWidth = cols * pitch - gap;
  const gridHeight = rows * pitch - gap;
  const out: ChartCell[] = [];
  for (let i = 0; i < cols * rows; i++) {
    const col = i % cols;
    const row = Math.floor(i / cols);
    out.push({ index: i < colorCount ? i : -1, label: `${rowLabel(row)}${col + 1}`, x: col * pitch, y: row * pitch, size: swatch });
  }
  const d = MARKER_OFFSET;
  const markers: [number, number][] = [
    [-d, -d],
    [gridWidth + d, -d],
    [gridWidth + d, gridHeight + d],
    [-d, gridHeight + d],
  ];
  const half = MARKER_SIZE / 2;
  return {
    cols,
    rows,
    swatch,
    gap,
    gridWidth,
    gridHeight,
    cells: out,
    markers,
    markerSize: MARKER_SIZE,
    bounds: { x: -d - half, y: -d - half, width: gridWidth + 2 * (d + half), height: gridHeight + 2 * (d + half) },
    paperPoints: paperPoints(gridWidth, gridHeight, out),
  };
}

function paperPoints(width: number, height: number, cells: ChartCell[]): [number, number][] {
  const points: [number, number][] = [];
  const step = 1.5;
  for (let x = 0; x <= width; x += step) points.push([x, -PAPER_BAND], [x, height + PAPER_BAND]);
  for (let y = 0; y <= height; y += step) points.push([-PAPER_BAND, y], [width + PAPER_BAND, y]);
  for (const cell of cells) if (cell.index < 0) points.push([cell.x + cell.size / 2, cell.y + cell.size / 2]);
  return points;
}

/** A, B, ..., Z, AA, AB, ... */
function rowLabel(row: number): string {
  let label = '';
  let n = row + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    label = String.fromCharCode(65 + r) + label;
    n = Math.floor((n - 1) / 26);
  }
  return label;
}
