import type { TopLevelSpec } from 'vega-lite';
import type { RobustReport } from './robust';

/** Left: robust accuracy per attack at the report's eps; right: accuracy vs eps for FGSM and PGD-20. */
export function robustChart(report: RobustReport): TopLevelSpec {
  const bars = report.rows.map((r) => ({ attack: r.attack, accuracy: r.accuracy }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Robustness of ${report.model.split('/').slice(-2).join('/')} (${report.count} images, L∞ eps ${report.settings.eps})`,
    hconcat: [
      {
        width: 300,
        height: 220,
        data: { values: bars },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'attack', type: 'nominal', sort: null, title: null },
          x: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%' }, title: 'accuracy' },
        },
      },
      {
        width: 300,
        height: 220,
        data: { values: report.sweep },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'eps', type: 'quantitative', title: 'L∞ eps' },
          y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%' }, title: 'accuracy' },
          color: { field: 'attack', type: 'nominal', title: null },
        },
      },
    ],
  } as TopLevelSpec;
}
