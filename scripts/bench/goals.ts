/**
 * Issue 19's four speed goals, declared once: `npm run bench` measures each, checks it against
 * its goal and prints them in one summary table.
 */
import { table } from './markdown';

export type BenchRow = 'ratio' | 'webcam' | 'patch';
export type GoalId = 'mobilenet' | 'resnet' | 'webcam' | 'patch';

export interface Goal {
  id: GoalId;
  /** The `--only` group that measures it. */
  row: BenchRow;
  measure: string;
  unit: 'x' | 'FPS' | 'min';
  /** Whether the measured value must reach the target from below (a speedup, a rate) or stay under it (a time). */
  direction: 'at-least' | 'at-most';
  target: number;
}

export const GOALS: readonly Goal[] = [
  { id: 'mobilenet', row: 'ratio', measure: 'forward + input gradient, batch 8, 224², MobileNetV2, vs PyTorch CPU autograd', unit: 'x', direction: 'at-least', target: 3.5 },
  { id: 'resnet', row: 'ratio', measure: 'same, ResNet-18', unit: 'x', direction: 'at-least', target: 1.5 },
  { id: 'webcam', row: 'webcam', measure: 'webcam screen in Chromium, centernet 512², fake camera', unit: 'FPS', direction: 'at-least', target: 30 },
  { id: 'patch', row: 'patch', measure: '600-step hide-person patch, batch 8, centernet', unit: 'min', direction: 'at-most', target: 6 },
];

export function goalOf(id: GoalId): Goal {
  const goal = GOALS.find((g) => g.id === id);
  if (!goal) throw new Error(`no goal ${id}`);
  return goal;
}

/** `1.92x`, `9.0 FPS`, `8.7 min`. */
export function formatValue(goal: Goal, value: number): string {
  return goal.unit === 'x' ? `${value.toFixed(2)}x` : `${value.toFixed(1)} ${goal.unit}`;
}

/** `>= 3.5x`, `>= 30 FPS`, `<= 6 min`. */
export function formatGoal(goal: Goal): string {
  const amount = goal.unit === 'x' ? `${goal.target}x` : `${goal.target} ${goal.unit}`;
  return `${goal.direction === 'at-least' ? '>=' : '<='} ${amount}`;
}

/** Whether a measured value meets its goal; undefined when nothing was measured. */
export function isMet(goal: Goal, value: number | undefined): boolean | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return goal.direction === 'at-least' ? value >= goal.target : value <= goal.target;
}

/** What one run found for one goal. */
export type GoalResult =
  | {
      id: GoalId;
      status: 'measured';
      /** Our side in words: times, rates, settings. */
      ours: string;
      /** The peer or baseline it is compared with, when there is one. */
      peer?: string;
      /** The value checked against the goal (a median). */
      value: number;
      /** The value as shown, with its spread when there is one. */
      valueText?: string;
    }
  | { id: GoalId; status: 'skipped' | 'failed' | 'not run'; reason: string };

export const SUMMARY_HEADER = ['measure', 'ours', 'peer / baseline', 'ratio or value', 'goal', 'met'];

export function summaryRow(result: GoalResult): string[] {
  const goal = goalOf(result.id);
  if (result.status !== 'measured') return [goal.measure, `${result.status}: ${result.reason}`, '—', '—', formatGoal(goal), '—'];
  const met = isMet(goal, result.value);
  return [goal.measure, result.ours, result.peer ?? '—', `**${result.valueText ?? formatValue(goal, result.value)}**`, formatGoal(goal), met === undefined ? '—' : met ? '✓' : '✗'];
}

/** The one table of the four goals, in the order, whatever was measured. */
export function summaryTable(results: readonly GoalResult[]): string {
  const rows = GOALS.map((goal) => results.find((r) => r.id === goal.id) ?? { id: goal.id, status: 'not run' as const, reason: `not selected by --only` });
  return table(SUMMARY_HEADER, rows.map(summaryRow));
}
