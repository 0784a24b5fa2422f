import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** A box in PDF points, origin bottom-left, as pdfinfo prints it. */
export interface PdfBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface PageInfo {
  widthPt: number;
  heightPt: number;
  boxes: Record<string, PdfBox>;
}

export function pdfInfo(pdf: string): { pages: PageInfo[]; fields: Record<string, string> } {
  const text = execFileSync('pdfinfo', ['-box', '-f', '1', '-l', '9999', pdf], { encoding: 'utf8' });
  const fields: Record<string, string> = {};
  const pages: PageInfo[] = [];
  for (const line of text.split('\n')) {
    const size = /^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/.exec(line);
    if (size) {
      pages[Number(size[1]) - 1] = { widthPt: Number(size[2]), heightPt: Number(size[3]), boxes: {} };
      continue;
    }
    const box = /^Page\s+(\d+) (\w+Box):\s+([\d.-]+)\s+([\d.-]+)\s+([\d.-]+)\s+([\d.-]+)/.exec(line);
    if (box) {
      const [x1, y1, x2, y2] = box.slice(3).map(Number);
      pages[Number(box[1]) - 1].boxes[box[2]] = { x1, y1, x2, y2 };
      continue;
    }
    const field = /^([A-Za-z ]+):\s+(.*)$/.exec(line);
    if (field) fields[field[1]] = field[2];
  }
  return { pages, fields };
}

export interface Rendered {
  width: number;
  height: number;
  /** RGB, row-major. */
  data: Uint8Array;
  dpi: number;
  /** Where the rendered region starts on the page, in device pixels from the top-left. */
  originX: number;
  originY: number;
}

/** Renders one page (or the part of it inside `box`, PDF points) with pdftoppm. */
export async function renderPage(pdf: string, page: number, dpi: number, box?: PdfBox, pageHeightPt?: number): Promise<Rendered> {
  const dir = mkdtempSync(join(tmpdir(), 'patchlab-render-'));
  try {
    const args = ['-r', String(dpi), '-f', String(page), '-l', String(page), '-png', '-singlefile'];
    let originX = 0;
    let originY = 0;
    if (box) {
      if (pageHeightPt === undefined) throw new Error('renderPage: a box needs the page height');
      const s = dpi / 72;
      originX = Math.floor(box.x1 * s);
      originY = Math.floor((pageHeightPt - box.y2) * s);
      const width = Math.ceil(box.x2 * s) - originX;
      const height = Math.ceil((pageHeightPt - box.y1) * s) - originY;
      args.push('-x', String(originX), '-y', String(originY), '-W', String(width), '-H', String(height));
    }
    execFileSync('pdftoppm', [...args, pdf, join(dir, 'page')]);
    const { data, info } = await sharp(readFileSync(join(dir, 'page.png'))).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data), dpi, originX, originY };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function inflateBox(box: PdfBox, byPt: number): PdfBox {
  return { x1: box.x1 - byPt, y1: box.y1 - byPt, x2: box.x2 + byPt, y2: box.y2 + byPt };
}

/** pdfimages -list rows: page, type (image/smask), width, height, x-ppi. */
export function pdfImages(pdf: string): { page: number; type: string; width: number; height: number; ppi: number }[] {
  const text = execFileSync('pdfimages', ['-list', pdf], { encoding: 'utf8' });
  return text
    .split('\n')
    .slice(2)
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s+/))
    .map((c) => ({ page: Number(c[0]), type: c[2], width: Number(c[3]), height: Number(c[4]), ppi: Number(c[12]) }));
}

export function pdfText(pdf: string, page?: number): string {
  const args = page ? ['-f', String(page), '-l', String(page)] : [];
  return execFileSync('pdftotext', ['-layout', ...args, pdf, '-'], { encoding: 'utf8' });
}

export const MM_PER_PT = 25.4 / 72;
