import type { Command } from 'commander';
import { UserError } from '../../engine/errors';
import { writeFileAtomic } from '../../engine/fs/atomic';
import { cutOnnxFile } from '../../engine/onnx/cut-file';
import { writeModel } from '../../engine/onnx/write';
import { formatShape } from '../../engine/tensor/tensor';
import { convertTfjsFile } from '../../engine/tfjs/convert';
import type { InputCut } from '../../engine/tfjs/inputs';
import { formatBytes, note, printJson, println } from '../output';
import { parseChoice, parsePositiveInt } from '../parse';

interface ConvertFlags {
  out: string;
  outputs?: string;
  inputs?: string;
  layout: string;
  batch?: string;
  freeBatch?: boolean;
  gray?: boolean;
  json?: boolean;
}

/** `name=1x320x320x3[:int32]` -> an input-side cut. */
function parseInputCut(text: string): InputCut {
  const match = /^(.+)=(\d+(?:x\d+)*)(?::(float32|int32))?$/.exec(text.trim());
  if (!match) throw new UserError(`--inputs: '${text}' is not NAME=DIMS (e.g. preprocess/out=1x320x320x3)`);
  return { name: match[1], shape: match[2].split('x').map(Number), dtype: (match[3] as InputCut['dtype']) ?? 'float32' };
}

function splitList(text: string | undefined): string[] | undefined {
  const items = text?.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return items && items.length > 0 ? items : undefined;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert a TF.js graph model (model.json + weight shards) to ONNX, or cut an ONNX graph (--outputs; an NMS inside is cut away)')
    .argument('<model>', 'path to the TF.js model.json, or an .onnx file to cut')
    .requiredOption('--out <file>', 'the .onnx file to write')
    .option('--outputs <names>', 'TF node names to cut the graph at, comma-separated (default: the model\'s outputs)')
    .option('--inputs <cuts>', 'graph tensors to feed as inputs instead, NAME=DIMS in TF order, comma-separated (e.g. after a preprocessing loop)')
    .option('--layout <NCHW|NHWC>', 'layout of 4-D image inputs in the ONNX graph', 'NCHW')
    .option('--batch <n>', 'fix a free batch dimension')
    .option('--free-batch', 'leave the batch dimension free even where model.json fixes it (e.g. to 1)')
    .option('--gray', 'feed a single-channel model with RGB (converted with 0.2989, 0.587, 0.114 in the graph)')
    .option('--json', 'print the conversion report as JSON')
    .action(async (path: string, opts: ConvertFlags) => {
      if (!opts.out.toLowerCase().endsWith('.onnx')) throw new UserError(`--out: '${opts.out}' should end in .onnx`);
      const started = performance.now();
      if (path.toLowerCase().endsWith('.onnx')) {
        const cut = await cutOnnxFile(path, splitList(opts.outputs));
        const bytes = writeModel(cut.model);
        writeFileAtomic(opts.out, bytes);
        if (opts.json) return printJson({ out: opts.out, bytes: bytes.byteLength, outputs: cut.outputs, nodes: cut.model.graph.nodes.length, message: cut.message });
        println(cut.message);
        println(`${opts.out}: ${formatBytes(bytes.byteLength)}, ${cut.model.graph.nodes.length} ONNX nodes`);
        for (const o of cut.model.graph.outputs) println(`  output  ${o.name} ${o.type ?? ''} ${formatShape(o.shape ?? [])}`);
        return;
      }
      const { model, report } = await convertTfjsFile(path, {
        outputs: splitList(opts.outputs),
        inputs: splitList(opts.inputs)?.map(parseInputCut),
        inputLayout: parseChoice('--layout', opts.layout.toUpperCase(), ['NCHW', 'NHWC'] as const),
        batch: opts.batch ? parsePositiveInt('--batch', opts.batch) : undefined,
        freeBatch: opts.freeBatch,
        rgbToGray: opts.gray ? { weights: [0.2989, 0.587, 0.114] } : undefined,
        progress: opts.json ? undefined : note,
      });
      const bytes = writeModel(model);
      writeFileAtomic(opts.out, bytes);
      const seconds = (performance.now() - started) / 1000;
      if (opts.json) return printJson({ out: opts.out, bytes: bytes.byteLength, seconds, ...report });
      println(`${opts.out}: ${formatBytes(bytes.byteLength)}, ${report.onnxNodes} ONNX nodes, ${report.folded} TF nodes folded, ${seconds.toFixed(1)} s`);
      for (const i of report.inputs) println(`  input   ${i.name} ${i.dtype} ${formatShape(i.shape)}`);
      for (const o of report.outputs) println(`  output  ${o.name} ${o.dtype} ${formatShape(o.shape)}`);
      println(`  TF ops  ${Object.entries(report.tfOps).map(([op, n]) => `${op} ${n}`).join(', ')}`);
      println(`  ONNX    ${Object.entries(report.onnxOps).map(([op, n]) => `${op} ${n}`).join(', ')}`);
    });
}
