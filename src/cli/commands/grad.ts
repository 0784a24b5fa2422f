import type { Command } from 'commander';
import { inputGradient } from '../../engine/autodiff/input-gradient';
import type { LossSpec } from '../../engine/autodiff/oracle';
import { UserError } from '../../engine/errors';
import { writeFileAtomic } from '../../engine/fs/atomic';
import { resolveModelRef } from '../../engine/models/registry';
import { loadModelBytes, sourcePath } from '../../engine/models/sources';
import { readModel } from '../../engine/onnx/read';
import { encodeNpy, readNpy } from '../../engine/tensor/npy';
import { formatShape, type FloatTensor } from '../../engine/tensor/tensor';
import { note, printJson, println } from '../output';
import { parseChoice, parseNumber, parsePositiveInt } from '../parse';

interface GradFlags {
  loss: string;
  label?: string;
  targeted?: boolean;
  kappa?: string;
  output?: string;
  out: string;
  reduction: string;
  threads?: string;
  json?: boolean;
}

export function registerGrad(program: Command): void {
  program
    .command('grad')
    .description("gradient of a loss with respect to a model's input, in the model's own layout")
    .argument('<model>', 'registry name or path to an .onnx file')
    .argument('<input>', 'float32 .npy array shaped like the model input (any batch size)')
    .requiredOption('--out <file>', 'where to write the gradient (.npy, float32, same shape as the input)')
    .option('--loss <kind>', 'ce, margin, logit, sum, mean or max', 'ce')
    .option('--label <k>', 'class index for ce/margin/logit: one for every sample, or one per sample (3,7,...)')
    .option('--targeted', 'ce/margin toward --label instead of away from it')
    .option('--kappa <k>', 'margin confidence', '0')
    .option('--output <name>', 'model output the loss reads (default: the classifier output, else the first)')
    .option('--reduction <r>', 'gradient of the mean over the batch (as PyTorch) or the sum', 'mean')
    .option('--threads <n>', 'onnxruntime intra-op threads')
    .option('--json', 'print the loss and the gradient file as JSON')
    .action(async (ref: string, inputPath: string, opts: GradFlags) => {
      const kind = parseChoice('--loss', opts.loss, ['ce', 'margin', 'logit', 'sum', 'mean', 'max'] as const);
      const reduction = parseChoice('--reduction', opts.reduction, ['mean', 'sum'] as const);
      const threads = opts.threads ? parsePositiveInt('--threads', opts.threads) : undefined;
      const entry = resolveModelRef(ref);
      const label = entry.origin === 'file' ? sourcePath(entry) : entry.manifest.name;
      const model = readModel(await loadModelBytes(entry), { label, baseDir: entry.dir });
      const x = readNpy(inputPath);
      if (x.type !== 'float32') throw new UserError(`${inputPath}: the input array is ${x.type}; save it as float32`);
      const head = entry.manifest.head;
      const output = opts.output ?? (head.kind === 'classifier' ? head.output : undefined) ?? model.graph.outputs[0]?.name;
      const loss = lossSpec(kind, output, opts);
      const labels = kind === 'ce' || kind === 'margin' || kind === 'logit' ? parseLabels(opts.label, x.dims[0]) : undefined;
      const result = await inputGradient(model, x as FloatTensor, loss, { labels }, { input: entry.manifest.input.name, reduction, threads, label });
      writeFileAtomic(opts.out, encodeNpy(result.grad));
      if (opts.json) return printJson({ loss: Array.from(result.loss), mean_loss: result.meanLoss, grad: opts.out, shape: result.grad.dims });
      note(`${kind} loss per sample: ${Array.from(result.loss, (v) => v.toPrecision(6)).join(', ')}`);
      println(`${opts.out}  ${formatShape(result.grad.dims)}  d(${reduction} of ${kind} loss)/d(${entry.manifest.input.name ?? 'input'})`);
    });
}

function lossSpec(kind: 'ce' | 'margin' | 'logit' | 'sum' | 'mean' | 'max', output: string, opts: GradFlags): LossSpec {
  switch (kind) {
    case 'ce':
      return { kind, output, targeted: opts.targeted };
    case 'margin':
      return { kind, output, targeted: opts.targeted, kappa: parseNumber('--kappa', opts.kappa ?? '0') };
    case 'logit':
      return { kind, output };
    default:
      return { kind, output };
  }
}

function parseLabels(text: string | undefined, batch: number): number[] {
  if (text === undefined) throw new UserError('--label: the loss needs a class index (--label K)');
  const values = text.split(',').map((t) => {
    const v = Number(t.trim());
    if (!Number.isInteger(v) || v < 0) throw new UserError(`--label: '${t}' is not a class index`);
    return v;
  });
  if (values.length === 1) return new Array<number>(batch).fill(values[0]);
  if (values.length !== batch) throw new UserError(`--label: ${values.length} labels for a batch of ${batch}`);
  return values;
}
