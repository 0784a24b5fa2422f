import { median } from '../../src/engine/autodiff/benchmark';

/** A Markdown table; cells must not contain `|`. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** `91.3 ms` under 100 ms, whole milliseconds above. */
export const ms = (v: number): string => `${v < 100 ? v.toFixed(1) : Math.round(v)} ms`;

export const ratio = (v: number): string => `${v.toFixed(2)}x`;

/** The median with the min–max in brackets when there are several values. */
export function spread(values: readonly number[], format: (v: number) => string): string {
  return values.length > 1 ? `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})` : format(values[0]);
}

/** `1 step`, `3 steps`. */
export const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
