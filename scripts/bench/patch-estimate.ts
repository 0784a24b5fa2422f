import type { MetricsLine } from '../../src/engine/runs/store';

export type StepSplit = { render: number; model: number; backward: number; rest: number };

export interface PatchEstimate {
  /** Steps the estimate is made of (after the warm-up ones). */
  timedSteps: number;
  /** Mean wall and process CPU milliseconds per timed step. */
  stepMs: number;
  cpuMs?: number;
  /** Mean milliseconds per timed step in each part of the step. */
  split: StepSplit;
  /** Run time outside the steps (model load, graph build, scene preparation, the final files), once per run. */
  onceMs: number;
  steps: number;
  /** `onceMs` plus `steps` mean steps, in minutes. */
  minutes: number;
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * What a `steps`-step run would take, from the metrics of a short one: the mean step after the
 * warm-up steps, times `steps`, plus the time outside the steps. The mean, not the median, because
 * a run's wall time is the sum of its steps, slow ones included.
 */
export function estimatePatchRun(lines: readonly Pick<MetricsLine, 'ms' | 'cpuMs' | 'timing'>[], warmup: number, runWallMs: number, steps = 600): PatchEstimate {
  if (lines.length <= warmup) throw new Error(`the patch run wrote ${lines.length} step(s) of metrics; ${warmup} warm-up step(s) leave none to time`);
  const timed = lines.slice(warmup);
  const missing = timed.find((l) => !l.timing);
  if (missing) throw new Error('the patch run wrote steps without their timing split');
  const split: StepSplit = {
    render: mean(timed.map((l) => l.timing!.render)),
    model: mean(timed.map((l) => l.timing!.model)),
    backward: mean(timed.map((l) => l.timing!.backward)),
    rest: mean(timed.map((l) => l.timing!.rest)),
  };
  const stepMs = mean(timed.map((l) => l.ms));
  const cpu = timed.every((l) => l.cpuMs !== undefined) ? mean(timed.map((l) => l.cpuMs!)) : undefined;
  const onceMs = Math.max(0, runWallMs - lines.reduce((a, l) => a + l.ms, 0));
  return { timedSteps: timed.length, stepMs, cpuMs: cpu, split, onceMs, steps, minutes: (onceMs + steps * stepMs) / 60_000 };
}
