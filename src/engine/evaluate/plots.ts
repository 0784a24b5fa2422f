import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The same colour for a variant in every chart: the patch stands out, controls are muted. */
const VARIANT_COLOURS = { domain: ['patch', 'noise control', 'natural control', 'clean'], range: ['#d62728', '#8c8c8c', '#2ca02c', '#1f77b4'] };

/** Renders a Vega-Lite spec to SVG with Vega's headless SVG renderer, and to PNG through sharp. */
export async function renderChart(spec: TopLevelSpec, scale = 2): Promise<{ svg: string; png: Buffer }> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = await sharp(Buffer.from(svg), { density: 72 * scale }).flatten({ background: '#ffffff' }).png().toBuffer();
  return { svg, png };
}

export interface BinRow {
  parameter: string;
  /** Bin centre in the parameter's unit. */
  value: number;
  variant: string;
  rate: number;
  views: number;
}

/** Rate vs parameter, one panel per transform, one line per variant (patch and controls). */
export function binsChart(rows: readonly BinRow[], metric: string, title: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows as unknown as Record<string, unknown>[] },
    facet: { field: 'parameter', type: 'nominal', title: null, header: { labelFontSize: 12 } },
    columns: 2,
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 260,
      height: 170,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        y: { field: 'rate', type: 'quantitative', title: metric, scale: { domain: [0, 1] }, axis: { format: '%' } },
        color: { field: 'variant', type: 'nominal', title: null, scale: VARIANT_COLOURS },
        tooltip: [{ field: 'views', type: 'quantitative' }],
      },
    },
  } as TopLevelSpec;
}

/** One bar per variant: the headline number beside its controls. */
export function summaryChart(rows: readonly { variant: string; rate: number }[], metric: string, title: string, colours: { domain: readonly string[]; range: readonly string[] } = VARIANT_COLOURS): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 320,
    height: 160,
    data: { values: rows as unknown as Record<string, unknown>[] },
    layer: [
      { mark: 'bar', encoding: { y: { field: 'variant', type: 'nominal', title: null, sort: null }, x: { field: 'rate', type: 'quantitative', title: metric, scale: { domain: [0, 1] }, axis: { format: '%' } }, color: { field: 'variant', type: 'nominal', legend: null, scale: colours } } },
      { mark: { type: 'text', align: 'left', dx: 3 }, encoding: { y: { field: 'variant', type: 'nominal', sort: null }, x: { field: 'rate', type: 'quantitative' }, text: { field: 'rate', type: 'quantitative', format: '.0%' } } },
    ],
  } as TopLevelSpec;
}

/** Precision against recall at IoU 0.5, one line per variant (Thys et al. report AP this way). */
export function prChart(rows: readonly { variant: string; recall: number; precision: number }[], title: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 320,
    height: 240,
    data: { values: rows as unknown as Record<string, unknown>[] },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'recall', type: 'quantitative', title: 'recall', scale: { domain: [0, 1] } },
      y: { field: 'precision', type: 'quantitative', title: 'precision', scale: { domain: [0, 1] } },
      color: { field: 'variant', type: 'nominal', title: null, scale: VARIANT_COLOURS },
    },
  } as TopLevelSpec;
}
