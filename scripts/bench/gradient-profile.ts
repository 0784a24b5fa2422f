/**
 * Where a gradient graph spends its time: builds the graph an attack would run (attack-graphs.ts:
 * the hide loss on a detector's heatmap, or cross-entropy on a classifier), runs it under onnxruntime's profiler
 * and sums kernel (self) time per op type and per node.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { attackGradientGraph, forwardGraph } from '../../src/engine/attacks/physical/attack-graphs';
import { loadModel } from '../../src/engine/models/loaded';
import { writeModel } from '../../src/engine/onnx/write';

export interface GradientProfile {
  label: string;
  forwardOnly: boolean;
  batch: number;
  threads: number;
  runs: number;
  /** Wall and summed kernel milliseconds per run. */
  wallMs: number;
  kernelMs: number;
  /** Per op type, largest first: milliseconds per run and nodes per run. */
  byType: { op: string; ms: number; nodes: number }[];
  /** Per node, largest first. */
  byNode: { name: string; op: string; ms: number; shape: string }[];
}

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; output_type_shape?: unknown[] };
}

let profiles = 0;

export async function profileGradient(options: { model: string; batch: number; runs: number; threads: number; forward?: boolean }): Promise<GradientProfile> {
  const { batch, runs, threads } = options;
  const model = await loadModel(options.model);
  const graph = options.forward ? forwardGraph(model) : await attackGradientGraph(model, batch);
  const bytes = writeModel(graph.model);
  const input = graph.input;
  const base = `patchlab-profile-${process.pid}-${profiles++}`;
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    enableProfiling: true,
    profileFilePrefix: join(tmpdir(), base),
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      if (name === input) {
        const data = new Float32Array(batch * 3 * model.height * model.width);
        for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) >>> 0) / 4294967296;
        feeds[name] = new ort.Tensor('float32', data, [batch, 3, model.height, model.width]);
      } else feeds[name] = new ort.Tensor('int64', new BigInt64Array(batch), [batch]);
    }
    await session.run(feeds);
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) await session.run(feeds);
    const wallMs = (performance.now() - t0) / runs;
    session.endProfiling();
    // onnxruntime-node writes PREFIX_<timestamp>.json and does not return the name.
    const file = join(tmpdir(), readdirSync(tmpdir()).find((f) => f.startsWith(base + '_') && f.endsWith('.json')) ?? base);
    const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
    rmSync(file, { force: true });
    return { label: model.label, forwardOnly: Boolean(options.forward), batch, threads, runs, wallMs, ...summariseProfile(events, runs + 1) };
  } finally {
    await session.release();
  }
}

/** onnxruntime's `[{"float":[8,96,112,112]}]` as `float 8×96×112×112`. */
function formatOutputShapes(shapes: readonly unknown[]): string {
  return shapes
    .map((s) => Object.entries(s as Record<string, unknown>).map(([type, dims]) => `${type} ${Array.isArray(dims) ? dims.join('×') : String(dims)}`).join(', '))
    .join('; ')
    .slice(0, 80);
}

/** Kernel time per op type and per node, per run, from onnxruntime's profile of `profiledRuns` runs. */
function summariseProfile(events: readonly ProfileEvent[], profiledRuns: number): Pick<GradientProfile, 'kernelMs' | 'byType' | 'byNode'> {
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const byType = new Map<string, { us: number; count: number }>();
  const byNode = new Map<string, { us: number; op: string; shape: string }>();
  for (const e of nodes) {
    const op = e.args?.op_name ?? '?';
    const t = byType.get(op) ?? { us: 0, count: 0 };
    t.us += e.dur;
    t.count++;
    byType.set(op, t);
    const name = e.name.replace(/_kernel_time$/, '');
    const n = byNode.get(name) ?? { us: 0, op, shape: formatOutputShapes(e.args?.output_type_shape ?? []) };
    n.us += e.dur;
    byNode.set(name, n);
  }
  const perRun = (us: number) => us / profiledRuns / 1000;
  return {
    kernelMs: perRun([...byType.values()].reduce((a, b) => a + b.us, 0)),
    byType: [...byType].map(([op, t]) => ({ op, ms: perRun(t.us), nodes: Math.round(t.count / profiledRuns) })).sort((a, b) => b.ms - a.ms),
    byNode: [...byNode].map(([name, n]) => ({ name, op: n.op, ms: perRun(n.us), shape: n.shape })).sort((a, b) => b.ms - a.ms),
  };
}
