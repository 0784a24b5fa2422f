import { basename, dirname, join } from 'node:path';
import { ROBUST_ATTACKS } from '../../shared/training';
import { writeFileAtomic } from '../fs/atomic';
import type { RobustReport } from './robust';

export interface RobustComparison {
  /** What every report shares: split, image count and settings. */
  split: string;
  count: number;
  settings: RobustReport['settings'];
  models: { name: string; model: string; accuracy: Partial<Record<(typeof ROBUST_ATTACKS)[number], number>>; sweep: RobustReport['sweep']; cwMedianL2?: number; notes: string[] }[];
}

/** A short name for a model file: its run folder (runs/standard/model.onnx -> standard). */
export function modelName(model: string): string {
  const file = basename(model);
  return file === 'model.onnx' ? basename(dirname(model)) : file.replace(/\.onnx$/, '');
}

/** Several reports of the same settings side by side. */
export function compareReports(reports: RobustReport[]): RobustComparison {
  const first = reports[0];
  return {
    split: first.split,
    count: first.count,
    settings: first.settings,
    models: reports.map((r) => ({
      name: modelName(r.model),
      model: r.model,
      accuracy: Object.fromEntries(r.rows.map((row) => [row.attack, row.accuracy])),
      sweep: r.sweep,
      ...(r.cwMedianL2 !== undefined ? { cwMedianL2: r.cwMedianL2 } : {}),
      notes: r.notes,
    })),
  };
}

const HEADINGS: Record<(typeof ROBUST_ATTACKS)[number], (s: RobustReport['settings']) => string> = {
  clean: () => 'clean',
  fgsm: () => 'FGSM',
  'pgd-20': () => 'PGD-20',
  'pgd-100': (s) => `PGD-100 x${s.restarts}`,
  'cw-linf': () => 'C&W-L∞ (margin PGD-100)',
  'cw-l2': (s) => `C&W-L2 (<= ${s.epsL2})`,
  square: (s) => `Square (${s.squareQueries} q)`,
  transfer: () => 'transfer',
};

/** The comparison as a markdown table (attacks as columns, in the declared order) with each model's notes under it. */
export function comparisonMarkdown(c: RobustComparison): string {
  const attacks = ROBUST_ATTACKS.filter((a) => c.models.some((m) => m.accuracy[a] !== undefined));
  const pct = (v: number | undefined) => (v === undefined ? '' : `${(100 * v).toFixed(1)}%`);
  const lines = [
    `${c.split}, first ${c.count} images, L∞ eps ${c.settings.eps}`,
    '',
    `| model | ${attacks.map((a) => HEADINGS[a](c.settings)).join(' | ')} |`,
    `| --- |${attacks.map(() => ' ---: |').join('')}`,
    ...c.models.map((m) => `| ${m.name} | ${attacks.map((a) => pct(m.accuracy[a])).join(' | ')} |`),
    '',
    ...c.models.flatMap((m) => m.notes.map((n) => `- ${m.name}: ${n}`)),
  ];
  return lines.join('\n') + '\n';
}

export function writeComparison(c: RobustComparison, out: string): void {
  writeFileAtomic(join(out, 'comparison.json'), JSON.stringify(c, null, 2) + '\n');
  writeFileAtomic(join(out, 'comparison.md'), comparisonMarkdown(c));
}
