import type { Command } from 'commander';
import { benchmarkGradient } from '../../engine/autodiff/benchmark';
import { loadModel } from '../../engine/models/loaded';
import { currentDevice } from '../../engine/onnx/device';
import { defaultThreads } from '../../engine/onnx/session';
import { addModelFlags, modelOverrides, type ModelFlags } from '../model-options';
import { printJson, println, table } from '../output';
import { parseChoice, parsePositiveInt } from '../parse';

export function registerBench(program: Command): void {
  addModelFlags(
    program
      .command('bench')
      .description('time a forward pass and a forward + input-gradient pass (cross-entropy, random input)')
      .argument('<model>', 'registry name or path to an .onnx file')
      .option('--batch <n>', 'images per run', '8')
      .option('--iters <n>', 'timed runs (after 2 warm-up runs); medians are reported', '10')
      .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)')
      .option('--lowering <form>', 'strided conv backward for every conv: phase, convtranspose or zero-insert (default: phase for dense convs, convtranspose for depthwise)')
      .option('--json', 'print JSON'),
  ).action(async (ref: string, opts: ModelFlags & { batch: string; iters: string; threads?: string; lowering?: string; json?: boolean }) => {
    const batch = parsePositiveInt('--batch', opts.batch);
    const iters = parsePositiveInt('--iters', opts.iters);
    const threads = opts.threads ? parsePositiveInt('--threads', opts.threads) : defaultThreads();
    const strided = opts.lowering ? parseChoice('--lowering', opts.lowering, ['phase', 'convtranspose', 'zero-insert'] as const) : undefined;
    const model = await loadModel(ref, modelOverrides(opts));
    const r = await benchmarkGradient(model, { batch, iters, threads, lowering: strided ? { strided, stridedDepthwise: strided } : undefined });
    const round = (v: number) => Math.round(v * 10) / 10;
    if (opts.json) {
      return printJson({ forward_ms: round(r.forwardMs), forward_backward_ms: round(r.forwardBackwardMs), peak_rss_mb: Math.round(r.peakRssMb), batch, threads, device: currentDevice() });
    }
    println(`${model.name}  batch ${batch}  threads ${threads}  device ${currentDevice()}  ${model.width}x${model.height}  (median of ${iters})`);
    println(
      table([
        ['forward', `${round(r.forwardMs)} ms`],
        ['forward + input gradient', `${round(r.forwardBackwardMs)} ms`],
        ['gradient graph build', `${Math.round(r.buildMs)} ms (once)`],
        ['peak RSS', `${Math.round(r.peakRssMb)} MB`],
      ]),
    );
  });
}
