import { readMetricsLines } from '../runs/record';
import type { TopLevelSpec } from 'vega-lite';
import { renderChart } from '../evaluate/plots';
import { writeFileAtomic } from '../fs/atomic';
import type { TrainMetrics } from './trainer';

/** Loss and accuracy against training step: train loss, train accuracy (per stretch), val accuracy (per epoch). */
export function learningCurveChart(lines: readonly TrainMetrics[]): TopLevelSpec {
  const rows = lines.flatMap((l) => [
    { step: l.step, panel: 'loss', series: 'train loss', value: l.loss },
    { step: l.step, panel: 'accuracy', series: 'train accuracy', value: l.trainAccuracy },
    ...(l.valAccuracy !== undefined ? [{ step: l.step, panel: 'accuracy', series: 'val accuracy', value: l.valAccuracy }] : []),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Learning curve',
    data: { values: rows },
    facet: { row: { field: 'panel', type: 'nominal', title: null, sort: ['loss', 'accuracy'] } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 460,
      height: 160,
      mark: { type: 'line', point: { size: 16 } },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
  } as TopLevelSpec;
}

export function readMetrics(file: string): TrainMetrics[] {
  return readMetricsLines<TrainMetrics>(file);
}

/** Writes BASE.svg and BASE.png from metrics.jsonl. */
export async function learningCurve(metricsFile: string, base: string): Promise<void> {
  const lines = readMetrics(metricsFile);
  if (lines.length === 0) return;
  const { svg, png } = await renderChart(learningCurveChart(lines));
  writeFileAtomic(`${base}.svg`, svg);
  writeFileAtomic(`${base}.png`, png);
}
