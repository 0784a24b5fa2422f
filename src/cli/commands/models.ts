import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { UserError } from '../../engine/errors';
import { decoderNames } from '../../engine/models/decoders/index';
import { importOnnxModel } from '../../engine/models/import';
import { describeModel } from '../../engine/models/info';
import { loadModel, readLabelsFile } from '../../engine/models/loaded';
import type { Head, InputSpec } from '../../engine/models/manifest';
import { listModels } from '../../engine/models/registry';
import { addModelFlags, modelOverrides, type ModelFlags } from '../model-options';
import { formatBytes, formatCount, note, printJson, println, table } from '../output';
import { parseChoice, parseNumber, parseRange, parseSize, parseTriple } from '../parse';
import { formatShape } from '../../engine/tensor/tensor';
import { registerModelOps } from './models-ops';

export function registerModels(program: Command): void {
  const models = program.command('models').description('list, inspect and import models');

  models
    .command('list')
    .description('built-in and imported models')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const entries = listModels().map((e) => ({
        name: e.manifest.name,
        origin: e.origin,
        task: e.manifest.task ?? '',
        input: e.manifest.input.width && e.manifest.input.height ? `${e.manifest.input.width}x${e.manifest.input.height}` : '',
        head: e.manifest.head.kind,
        source: e.manifest.source.kind,
        title: e.manifest.title ?? '',
        license: e.manifest.license ?? '',
      }));
      if (opts.json) return printJson({ models: entries });
      if (entries.length === 0) return println('no models yet: import one with `patchlab models import FILE.onnx`');
      println(table([['NAME', 'ORIGIN', 'TASK', 'INPUT', 'HEAD', 'FORMAT', 'TITLE'], ...entries.map((e) => [e.name, e.origin, e.task, e.input, e.head, e.source, e.title])]));
    });

  addModelFlags(
    models
      .command('info')
      .description('inputs, outputs, opset, op histogram, parameters and file size of a model')
      .argument('<model>', 'registry name or path to an .onnx file')
      .option('--json', 'print JSON'),
  ).action(async (ref: string, opts: ModelFlags & { json?: boolean }) => {
    const info = describeModel(await loadModel(ref, modelOverrides(opts), note));
    if (opts.json) return printJson(info);
    println(`${info.name} (${info.origin}${info.task ? `, ${info.task}` : ''})`);
    println(`  file       ${info.source}  ${formatBytes(info.fileBytes)}  sha256 ${info.sha256.slice(0, 12)}`);
    println(`  producer   ${info.producer || 'unknown'}  ir ${info.irVersion}  opset ${info.opset}`);
    println(`  parameters ${formatCount(info.parameters)}  nodes ${info.nodes}`);
    for (const i of info.inputs) println(`  input      ${i.name} ${i.type ?? ''} ${formatShape(i.shape)}`);
    for (const o of info.outputs) println(`  output     ${o.name} ${o.type ?? ''} ${formatShape(o.shape)}`);
    const enc = info.input;
    println(`  feeding    ${enc.width}x${enc.height} ${enc.layout} ${enc.channelOrder} range [${enc.range}] mean [${enc.mean}] std [${enc.std}]`);
    println(`  head       ${JSON.stringify(info.head)}${info.labels ? `, ${info.labels} labels` : ''}`);
    println(`  ops        ${Object.entries(info.ops).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  });

  models
    .command('import')
    .description('copy an ONNX model into $PATCHLAB_HOME/models with a manifest describing how to feed and read it')
    .argument('<file>', 'the .onnx file')
    .option('--name <name>', 'registry name (default: the file name)')
    .option('--head <kind>', `classifier, embedding, raw, or a detector head: ${decoderNames().join(', ')} (default: guessed from the output shapes, else classifier)`)
    .option('--outputs <names>', 'cut the graph at these tensors, comma-separated (an NMS inside is cut away automatically)')
    .option('--anchors <file>', 'ssd: JSON array of [cx, cy, w, h] anchors (normalised) when the boxes output holds raw offsets')
    .option('--min-score <p>', 'detectors: score at which a box counts')
    .option('--output <name>', 'the output the head reads (default: the first)')
    .option('--activation <kind>', 'classifier output kind: logits, probabilities, sigmoid or auto', 'logits')
    .option('--size <WxH>', 'input size when the model does not fix it')
    .option('--layout <NCHW|NHWC>', 'input layout', 'NCHW')
    .option('--range <lo,hi>', 'pixel value range before mean/std', '0,1')
    .option('--mean <r,g,b>', 'per-channel mean')
    .option('--std <r,g,b>', 'per-channel std')
    .option('--bgr', 'feed channels in BGR order')
    .option('--letterbox', 'keep aspect ratio and pad instead of stretching')
    .option('--labels <file>', 'class labels, one per line (or a JSON array)')
    .option('--force', 'replace an imported model of the same name')
    .option('--json', 'print the manifest as JSON')
    .action(async (file: string, opts: Record<string, string | boolean | undefined>) => {
      const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
      const detectorOptions = parseDetectorOptions(str);
      const head = parseHead(str, detectorOptions);
      const input: Partial<InputSpec> = {
        layout: parseChoice('--layout', (str('layout') ?? 'NCHW').toUpperCase(), ['NCHW', 'NHWC'] as const),
        range: parseRange('--range', str('range') ?? '0,1'),
        resize: opts.letterbox ? 'letterbox' : 'stretch',
        channelOrder: opts.bgr ? 'BGR' : 'RGB',
      };
      if (str('size')) Object.assign(input, parseSize('--size', str('size') as string));
      if (str('mean')) input.mean = parseTriple('--mean', str('mean') as string);
      if (str('std')) input.std = parseTriple('--std', str('std') as string);
      const labels = str('labels') ? readLabelsFile(str('labels') as string) : undefined;
      const outputs = str('outputs')?.split(',').map((o) => o.trim()).filter((o) => o.length > 0);
      const manifest = await importOnnxModel(file, { name: str('name'), head, input, labels, force: Boolean(opts.force), outputs, detectorOptions: head ? {} : detectorOptions, onNote: note });
      if (opts.json) return printJson(manifest);
      println(`imported '${manifest.name}': patchlab predict ${manifest.name} IMAGE`);
    });

  registerModelOps(models);
}

/** `--head` and the flags that go with it; undefined leaves the head to the import's guess. */
function parseHead(str: (k: string) => string | undefined, detectorOptions: Record<string, unknown>): Head | undefined {
  const kind = str('head');
  if (kind === undefined) return undefined;
  if (kind === 'classifier') return { kind, output: str('output'), activation: parseChoice('--activation', str('activation') ?? 'logits', ['logits', 'probabilities', 'sigmoid', 'auto'] as const) };
  if (kind === 'embedding') return { kind, output: str('output'), extras: {} };
  if (kind === 'raw') return { kind };
  const decoder = parseChoice('--head', kind, ['classifier', 'embedding', 'raw', ...decoderNames()]);
  return { kind: 'detector', decoder, outputs: {}, options: detectorOptions };
}

/** `--anchors` and `--min-score`: for the named head, or for the head the import recognises. */
function parseDetectorOptions(str: (k: string) => string | undefined): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  if (str('anchors')) options.anchors = readAnchors(str('anchors') as string);
  if (str('min-score') ?? str('minScore')) options.minScore = parseNumber('--min-score', (str('min-score') ?? str('minScore')) as string);
  return options;
}

function readAnchors(file: string): number[][] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`--anchors: ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(value) || !value.every((a) => Array.isArray(a) && a.length === 4 && a.every((v) => typeof v === 'number'))) {
    throw new UserError(`--anchors: ${file} should be a JSON array of [cx, cy, w, h] rows`);
  }
  return value as number[][];
}
