import { UserError } from '../engine/errors';

/** A number, or a fraction such as `8/255`, as the attack flags accept. */
export function parseNumber(flag: string, text: string): number {
  const match = /^\s*(-?[\d.]+(?:e-?\d+)?)\s*(?:\/\s*([\d.]+(?:e-?\d+)?))?\s*$/i.exec(text);
  const value = match ? Number(match[1]) / (match[2] !== undefined ? Number(match[2]) : 1) : NaN;
  if (!Number.isFinite(value)) throw new UserError(`${flag}: '${text}' is not a number`);
  return value;
}

/** A number in [0, 1]. */
export function parseFraction(flag: string, text: string): number {
  const v = parseNumber(flag, text);
  if (v < 0 || v > 1) throw new UserError(`${flag}: '${text}' must be between 0 and 1`);
  return v;
}

export function parsePositiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new UserError(`${flag}: '${text}' is not a positive whole number`);
  return value;
}

export function parseNonNegativeInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new UserError(`${flag}: '${text}' is not a whole number >= 0`);
  return value;
}

/** `224` (square) or `WxH`. */
export function parseSize(flag: string, text: string): { width: number; height: number } {
  const match = /^\s*(\d+)\s*(?:[x×]\s*(\d+))?\s*$/i.exec(text);
  if (!match) throw new UserError(`${flag}: '${text}' is not a size (use 224 or 320x240)`);
  const width = Number(match[1]);
  const height = match[2] !== undefined ? Number(match[2]) : width;
  if (width <= 0 || height <= 0) throw new UserError(`${flag}: sizes must be positive`);
  return { width, height };
}

export function parseList(flag: string, text: string, count: number): number[] {
  const parts = text.split(/[,\s]+/).filter((p) => p.length > 0);
  if (parts.length !== count) throw new UserError(`${flag}: expected ${count} comma-separated numbers, got '${text}'`);
  return parts.map((p) => parseNumber(flag, p));
}

export function parseTriple(flag: string, text: string): [number, number, number] {
  const parts = text.split(/[,\s]+/).filter((p) => p.length > 0);
  if (parts.length === 1) {
    const v = parseNumber(flag, parts[0]);
    return [v, v, v];
  }
  return parseList(flag, text, 3) as [number, number, number];
}

/** `0,1` or `0:255`. */
export function parseRange(flag: string, text: string): [number, number] {
  const parts = text.split(/[,:]/);
  if (parts.length !== 2) throw new UserError(`${flag}: expected LOW,HIGH such as 0,1 or 0,255, got '${text}'`);
  const [lo, hi] = parts.map((p) => parseNumber(flag, p));
  if (!(hi > lo)) throw new UserError(`${flag}: the high end must exceed the low end in '${text}'`);
  return [lo, hi];
}

export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new UserError(`${flag}: '${text}' is not one of ${choices.join(', ')}`);
  return text as T;
}

/** A TCP port; 0 asks the system for a free one. */
export function parsePort(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new UserError(`${flag}: '${text}' is not a port (0-65535)`);
  return value;
}
