import type { Command } from 'commander';
import { loadModel } from '../../engine/models/loaded';
import { predictFiles } from '../../engine/models/predict';
import type { ImagePrediction } from '../../engine/models/types';
import { addModelFlags, modelOverrides, type ModelFlags } from '../model-options';
import { printJson, println } from '../output';
import { parsePositiveInt } from '../parse';

export function registerPredict(program: Command): void {
  addModelFlags(
    program
      .command('predict')
      .description('run a model on images: top-k classes, detections, faces or an output summary')
      .argument('<model>', 'registry name or path to an .onnx file')
      .argument('<images...>', 'image files (PNG, JPEG, WebP)')
      .option('--top <k>', 'classes to show per image', '5')
      .option('--batch <n>', 'images per forward pass when the batch size is free', '8')
      .option('--json', 'print JSON'),
  ).action(async (ref: string, images: string[], opts: ModelFlags & { top: string; batch: string; json?: boolean }) => {
    const top = parsePositiveInt('--top', opts.top);
    const batch = parsePositiveInt('--batch', opts.batch);
    const model = await loadModel(ref, modelOverrides(opts));
    const results = await predictFiles(model, images, { top, batch });
    if (opts.json) return printJson({ model: model.name, results });
    results.forEach((r, i) => {
      if (i > 0) println();
      printPrediction(r);
    });
  });
}

function printPrediction(r: ImagePrediction): void {
  println(`${r.image} (${r.width}x${r.height})`);
  for (const t of r.top ?? []) println(`  ${(t.prob * 100).toFixed(2).padStart(6)}%  ${t.label}  [${t.index}]`);
  for (const d of r.detections ?? []) println(`  ${d.label.padEnd(14)} ${(d.score * 100).toFixed(1).padStart(5)}%  box ${d.box.map((v) => Math.round(v)).join(',')}`);
  for (const f of r.faces ?? []) println(`  face ${(f.score * 100).toFixed(1).padStart(5)}%  box ${f.box.map((v) => Math.round(v)).join(',')}`);
  if (r.embedding) println(`  embedding [${r.embedding.length}] ${r.embedding.slice(0, 4).map((v) => v.toFixed(3)).join(', ')}, ...`);
  for (const o of r.outputs ?? []) println(`  ${o.name} [${o.dims.join(',')}] min ${o.min.toPrecision(4)} max ${o.max.toPrecision(4)} mean ${o.mean.toPrecision(4)}`);
}
