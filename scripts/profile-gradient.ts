/**
 * Where a gradient graph spends its time: builds the graph an attack would run (the hide loss on
 * a detector's heatmap, or cross-entropy on a classifier), runs it under onnxruntime's profiler
 * and prints the time per op type and the slowest nodes as Markdown tables.
 *
 *   npx tsx scripts/profile-gradient.ts --model centernet [--batch 1] [--runs 10] [--threads 2] [--forward] [--top 15]
 *   npx tsx scripts/profile-gradient.ts --model ~/.cache/patchlab/bench/resnet18.onnx --batch 8
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { buildGradientGraph } from '../src/engine/autodiff/gradient-graph';
import type { LossSpec } from '../src/engine/autodiff/oracle';
import { pixelForwardModel } from '../src/engine/autodiff/pixel-space';
import { upgradeOpset } from '../src/engine/autodiff/opset';
import { targetFromModel } from '../src/engine/attacks/physical/model-target';
import { loadModel } from '../src/engine/models/loaded';
import { writeModel } from '../src/engine/onnx/write';
import { closeSharedSessionWorkers } from '../src/engine/onnx/session-workers/pool';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'centernet' },
    batch: { type: 'string', default: '1' },
    runs: { type: 'string', default: '10' },
    threads: { type: 'string', default: '2' },
    forward: { type: 'boolean', default: false },
    top: { type: 'string', default: '15' },
  },
});

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; output_type_shape?: unknown[] };
}

async function main(): Promise<void> {
  const model = await loadModel(values.model!);
  const target = targetFromModel(model);
  const batch = Number(values.batch);
  const heatmap = target.outputs.heatmap;
  const loss: LossSpec = heatmap ? { kind: 'max', output: heatmap, channels: [0, 1], axis: await target.classAxis(heatmap) } : { kind: 'ce' };
  let bytes: Uint8Array;
  let input: string;
  if (values.forward) {
    const forward = pixelForwardModel(upgradeOpset(model.ir(), model.label), model.input.name, model.encoding, model.height, model.width, []);
    bytes = writeModel(forward.model);
    input = forward.input;
  } else {
    const graph = await buildGradientGraph(model.ir(), {
      input: model.input.name,
      batch,
      loss: loss.kind === 'ce' ? { ...loss, output: model.ir().graph.outputs[0].name } : loss,
      pixels: { encoding: model.encoding, height: model.height, width: model.width },
      label: model.label,
    });
    bytes = writeModel(graph.model);
    input = graph.input;
  }
  const prefix = join(tmpdir(), `patchlab-profile-${process.pid}`);
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: Number(values.threads),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    enableProfiling: true,
    profileFilePrefix: prefix,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    if (name === input) {
      const data = new Float32Array(batch * 3 * model.height * model.width);
      for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) >>> 0) / 4294967296;
      feeds[name] = new ort.Tensor('float32', data, [batch, 3, model.height, model.width]);
    } else feeds[name] = new ort.Tensor('int64', new BigInt64Array(batch), [batch]);
  }
  await session.run(feeds);
  const runs = Number(values.runs);
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const wall = (performance.now() - t0) / runs;
  session.endProfiling();
  // onnxruntime-node writes PREFIX_<timestamp>.json and does not return the name.
  const base = `patchlab-profile-${process.pid}`;
  const file = join(tmpdir(), readdirSync(tmpdir()).find((f) => f.startsWith(base) && f.endsWith('.json')) ?? base);
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  rmSync(file, { force: true });
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  // The warm-up run is profiled too; scale totals to one run.
  const perRun = 1 / (runs + 1);
  const byType = new Map<string, { us: number; count: number }>();
  const byNode = new Map<string, { us: number; op: string; shape: string }>();
  for (const e of nodes) {
    const op = e.args?.op_name ?? '?';
    const t = byType.get(op) ?? { us: 0, count: 0 };
    t.us += e.dur;
    t.count++;
    byType.set(op, t);
    const name = e.name.replace(/_kernel_time$/, '');
    const n = byNode.get(name) ?? { us: 0, op, shape: JSON.stringify(e.args?.output_type_shape ?? []).slice(0, 80) };
    n.us += e.dur;
    byNode.set(name, n);
  }
  const total = [...byType.values()].reduce((a, b) => a + b.us, 0) * perRun;
  console.log(`${model.label}: ${values.forward ? 'forward' : 'forward + input gradient'}, batch ${batch}, ${values.threads} threads, ${runs} runs: ${wall.toFixed(1)} ms wall per run, ${(total / 1000).toFixed(1)} ms of kernel time per run\n`);
  console.log('| op type | ms per run | share | nodes |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [op, t] of [...byType].sort((a, b) => b[1].us - a[1].us)) {
    const ms = (t.us * perRun) / 1000;
    if (ms < 0.05) continue;
    console.log(`| ${op} | ${ms.toFixed(2)} | ${((100 * t.us * perRun) / total).toFixed(1)}% | ${Math.round(t.count * perRun)} |`);
  }
  console.log('\n| slowest nodes | op | ms per run | output |');
  console.log('| --- | --- | ---: | --- |');
  const only = process.env.PROFILE_OP;
  for (const [name, n] of [...byNode].filter(([, n]) => !only || n.op === only).sort((a, b) => b[1].us - a[1].us).slice(0, Number(values.top))) {
    console.log(`| ${name.slice(0, 60)} | ${n.op} | ${((n.us * perRun) / 1000).toFixed(2)} | ${n.shape} |`);
  }
  await session.release();
}

await main();
// Session workers run from sources keep the process alive; the script is done.
await closeSharedSessionWorkers();
