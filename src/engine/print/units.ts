import { UserError } from '../errors';

/** PDF points per millimetre: 1 pt = 1/72 in, 1 in = 25.4 mm. */
export const PT_PER_MM = 72 / 25.4;

export const mmToPt = (mm: number): number => mm * PT_PER_MM;

const MM_PER_UNIT: Record<string, number> = { mm: 1, cm: 10, in: 25.4, pt: 25.4 / 72 };

/** `80mm`, `8cm`, `3in`, `3.5"` or `226pt` -> millimetres; a bare number is millimetres. */
export function parseLength(flag: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(mm|cm|in|pt|")?\s*$/i.exec(text);
  if (!match) throw new UserError(`${flag}: '${text}' is not a length (use 80mm, 8cm or 3in)`);
  const unit = (match[2] ?? 'mm').toLowerCase();
  const mm = Number(match[1]) * (unit === '"' ? 25.4 : MM_PER_UNIT[unit]);
  if (!(mm > 0) && flag !== '--bleed') throw new UserError(`${flag}: the length must be positive, got '${text}'`);
  return mm;
}

export interface Paper {
  name: string;
  widthMm: number;
  heightMm: number;
}

const PAPERS: Record<string, Paper> = {
  a4: { name: 'A4', widthMm: 210, heightMm: 297 },
  a3: { name: 'A3', widthMm: 297, heightMm: 420 },
  letter: { name: 'Letter', widthMm: 215.9, heightMm: 279.4 },
  legal: { name: 'Legal', widthMm: 215.9, heightMm: 355.6 },
};

/** `a4`, `a3`, `letter`, `legal`, or `WxH` with a unit (`300x400mm`, `8.5x11in`; mm when absent). */
export function parsePaper(flag: string, text: string): Paper {
  const named = PAPERS[text.trim().toLowerCase()];
  if (named) return named;
  const match = /^\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(mm|cm|in)?\s*$/i.exec(text);
  if (!match) throw new UserError(`${flag}: '${text}' is not a paper (use a4, letter, a3, legal or WxHmm such as 300x400mm)`);
  const scale = MM_PER_UNIT[(match[3] ?? 'mm').toLowerCase()];
  const widthMm = Number(match[1]) * scale;
  const heightMm = Number(match[2]) * scale;
  if (widthMm < 50 || heightMm < 50) throw new UserError(`${flag}: '${text}' is smaller than 50 mm on a side`);
  return { name: `${formatMm(widthMm)} × ${formatMm(heightMm)} mm`, widthMm, heightMm };
}

/** 80 -> "80", 215.9 -> "215.9", 80.0004 -> "80". */
export function formatMm(mm: number): string {
  return String(Math.round(mm * 10) / 10);
}
