/** Formatting of digital attack results (results.json writes an empty statistic as null). */

export function percent(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)}%`;
}

export function statCell(v: number | null, format: (v: number) => string): string {
  return v === null || !Number.isFinite(v) ? '–' : format(v);
}

export function prediction(p: { label: string; prob: number } | undefined): string {
  return p ? `${p.label} ${percent(p.prob)}` : '–';
}
