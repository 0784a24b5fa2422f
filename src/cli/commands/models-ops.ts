import type { Command } from 'commander';
import { attackGraphs, forwardGraph } from '../../engine/attacks/physical/attack-graphs';
import { loadModel } from '../../engine/models/loaded';
import { parseDevice, setDevice } from '../../engine/onnx/device';
import type { Model } from '../../engine/onnx/ir';
import type { ProviderFallbacks } from '../../engine/onnx/provider-ops/fallback';
import { graphOpsReport, tableProvenance, type GraphOpsReport } from '../../engine/onnx/provider-ops/report';
import { ACCELERATORS, type Accelerator } from '../../engine/onnx/provider-ops/table';
import { KERNEL_TABLES } from '../../engine/onnx/provider-ops/tables';
import { addModelFlags, modelOverrides, type ModelFlags } from '../model-options';
import { note, printJson, println, table } from '../output';
import { parsePositiveInt } from '../parse';

interface OpsFlags extends ModelFlags {
  gradient?: boolean;
  batch?: string;
  json?: boolean;
}

/** `patchlab models ops MODEL`: the op types of the graphs patchlab runs and each accelerator's CPU fallbacks. */
export function registerModelOps(models: Command): void {
  addModelFlags(
    models
      .command('ops')
      .description("op types of a model's forward graph (and with --gradient the gradient graph patchlab builds for it), and the nodes each accelerator would leave to the CPU (onnxruntime 1.30 provider tables); --device narrows to one provider")
      .argument('<model>', 'registry name or path to an .onnx file')
      .option('--gradient', 'also the gradient graph an attack runs (forward + loss + backward)')
      .option('--batch <n>', 'batch size the gradient graph is built for', '1')
      .option('--json', 'print JSON'),
  ).action(async (ref: string, opts: OpsFlags, cmd: Command) => {
    const providers = providersFor(cmd.optsWithGlobals<{ device?: string }>().device ?? process.env.PATCHLAB_DEVICE);
    // --device names the provider to report on; building the graphs (shape discovery) runs on the
    // CPU, so the report works on a machine without that provider.
    setDevice('cpu');
    const batch = parsePositiveInt('--batch', opts.batch ?? '1');
    const model = await loadModel(ref, modelOverrides(opts), note);
    const graphs: { name: string; about: string; model: Model }[] = [];
    if (opts.gradient) {
      const built = await attackGraphs(model, model.fixedBatch ?? batch);
      graphs.push({ name: 'forward', about: 'pixels to outputs', model: built.forward });
      graphs.push({ name: 'gradient', about: `${built.loss}, batch ${model.fixedBatch ?? batch}`, model: built.gradient });
    } else graphs.push({ name: 'forward', about: 'pixels to outputs', model: forwardGraph(model).model });
    const reports = graphs.map((g) => ({ graph: g.name, about: g.about, ...graphOpsReport(g.model, providers) }));
    if (opts.json) return printJson({ model: model.name, onnxruntime: KERNEL_TABLES.cuda.onnxruntime, graphs: reports, tables: Object.fromEntries(providers.map((p) => [p, tableProvenance(p)])) });
    for (const r of reports) printReport(model.name, r);
    if (providers.length === 0) return println('--device cpu: the CPU provider runs every node');
    if (providers.length === 1) {
      const { source, notes, variants } = tableProvenance(providers[0]);
      println(`${providers[0]} table: ${source}`);
      for (const n of notes) println(`  note: ${n}`);
      for (const v of variants) println(`${providers[0]} (${v.variant}) table: ${v.source}`);
    } else println('tables: src/engine/onnx/provider-ops/<provider>.json (each names its source); --device PROVIDER shows one with its notes');
  });
}

/** The accelerators to report: the one --device names, every one for auto or no flag, none for cpu. */
function providersFor(device: string | undefined): Accelerator[] {
  if (device === undefined) return [...ACCELERATORS];
  const d = parseDevice(device);
  if (d === 'auto') return [...ACCELERATORS];
  if (d === 'cpu') return [];
  return [d];
}

function printReport(model: string, r: GraphOpsReport & { graph: string; about: string }): void {
  const folded = r.providers[0]?.folded ?? 0;
  println(`${model}: ${r.graph} graph (${r.about}), opset ${r.opset}, ${r.nodes} nodes${folded ? ` (${folded} folded into constants at load)` : ''}`);
  println(`  ops  ${Object.entries(r.ops).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  if (r.providers.length === 0) return;
  println('  cpu fallbacks:');
  println(table(r.providers.map((p) => ['   ', p.variant ? `${p.provider} (${p.variant})` : p.provider, describe(p)])));
}

function describe(p: ProviderFallbacks): string {
  const parts = p.fallbacks.map((f) => `${f.domain ? `${f.domain}:` : ''}${f.opType} x${f.count} (${f.reason})`);
  if (p.uncovered.length) parts.push(`not in its table: ${p.uncovered.map((f) => `${f.domain}:${f.opType} x${f.count}`).join(', ')}`);
  return parts.length ? parts.join('; ') : 'none';
}
