import type { ViewParams } from '../render/eot';

/** The transforms evaluation reports success against, and how to read each from a view. */
export const BINNED: readonly { name: string; unit: string; read: (v: ViewParams) => number }[] = [
  { name: 'rotation', unit: '|°|', read: (v) => Math.abs(v.rotation) },
  { name: 'tilt', unit: '°', read: (v) => v.tilt },
  { name: 'scale', unit: '×', read: (v) => v.scale },
  { name: 'brightness', unit: '±', read: (v) => v.brightness },
];

export interface Bin {
  lo: number;
  hi: number;
  centre: number;
  /** Views in the bin and successes per variant. */
  views: number;
  rates: Record<string, number>;
}

/** Splits `values` into `count` equal-width bins over their range and averages each variant's outcome per bin. */
export function binOutcomes(values: readonly number[], outcomes: Record<string, readonly number[]>, count = 5): Bin[] {
  if (values.length === 0) return [];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (hi - lo < 1e-9) return [{ lo, hi, centre: lo, views: values.length, rates: Object.fromEntries(Object.entries(outcomes).map(([k, o]) => [k, mean(o)])) }];
  const width = (hi - lo) / count;
  const bins: Bin[] = [];
  for (let b = 0; b < count; b++) {
    const a = lo + b * width;
    const z = b === count - 1 ? hi + 1e-9 : a + width;
    const idx = values.map((v, i) => (v >= a && v < z ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) continue;
    bins.push({ lo: a, hi: Math.min(z, hi), centre: a + width / 2, views: idx.length, rates: Object.fromEntries(Object.entries(outcomes).map(([k, o]) => [k, mean(idx.map((i) => o[i]))])) });
  }
  return bins;
}

export function mean(values: readonly number[]): number {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}
