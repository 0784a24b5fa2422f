import { buildBackward } from '../../../src/engine/autodiff/backward';
import { discoverValues } from '../../../src/engine/autodiff/discover';
import { Emitter, type Attrs } from '../../../src/engine/autodiff/emitter';
import { DEFAULT_LOWERING, type LoweringOptions } from '../../../src/engine/autodiff/lowering/options';
import type { RuleTable } from '../../../src/engine/autodiff/rules/types';
import { createModel, emptyGraph, type Graph, type Node } from '../../../src/engine/onnx/ir';
import { createSession, type Session } from '../../../src/engine/onnx/session';
import { int64Constant, makeTensor } from '../../../src/engine/onnx/tensor-data';
import { writeModel } from '../../../src/engine/onnx/write';
import type { HostTensor } from '../../../src/engine/tensor/tensor';
import { sizeOf } from '../../../src/engine/tensor/tensor';

export type FloatKind = 'float32' | 'float64';

export interface CheckInput {
  dims: number[];
  /**
   * `x` is differentiated and perturbed; `const`, `int` and `bool` are initializers; `skip` an
   * empty optional input; `value` names a value a prelude node computes.
   */
  role?: 'x' | 'const' | 'int' | 'bool' | 'skip' | 'value';
  name?: string;
  values?: number[];
  /** Draws element i of a random `x`/`const` input (default uniform in [-1, 1]). */
  sample?: (rng: () => number, i: number) => number;
}

export interface CheckCase {
  op: string;
  inputs: CheckInput[];
  attrs?: Attrs;
  outputs?: number;
  type?: FloatKind;
  /** Central-difference step; linear ops can take a large one and stay exact. */
  eps?: number;
  /** Allowed |fd - analytic| = atol + rtol * max|analytic|. */
  atol?: number;
  rtol?: number;
  lowering?: Partial<LoweringOptions>;
  rules?: RuleTable;
  seed?: number;
  /** Extra nodes before the op (their outputs named by the op's inputs). */
  prelude?: Node[];
  opset?: number;
}

export interface CheckResult {
  /** Worst |fd - analytic| over every perturbed element of every `x` input. */
  maxError: number;
  maxAnalytic: number;
  allowed: number;
  elements: number;
  ok: boolean;
}

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Values away from the kinks at `points` (|x - p| >= margin), uniform in [lo, hi] otherwise. */
export function awayFrom(points: number[], margin = 0.05, lo = -1, hi = 1) {
  return (r: () => number) => {
    for (;;) {
      const v = lo + (hi - lo) * r();
      if (points.every((p) => Math.abs(v - p) >= margin)) return v;
    }
  };
}

function array(type: FloatKind, values: ArrayLike<number>): Float32Array | Float64Array {
  return type === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
}

/**
 * Finite-difference check of one op's gradient rule: builds a graph with the op and its backward
 * pass for L = sum_k <y_k, G_k> (random G_k), and compares d L/d x from the graph against central
 * differences of L computed from forward runs, for every element of every `x` input.
 */
export async function gradCheck(c: CheckCase): Promise<CheckResult> {
  const type = c.type ?? 'float64';
  const r = rng(c.seed ?? 7);
  const graph = emptyGraph('check');
  const feeds: Record<string, HostTensor> = {};
  const wrt: string[] = [];
  const inputNames = c.inputs.map((input, i) => {
    const name = `in${i}`;
    const role = input.role ?? 'x';
    if (role === 'skip') return '';
    if (role === 'value') return input.name!;
    const n = sizeOf(input.dims);
    const values = input.values ?? Array.from({ length: n }, (_, k) => (input.sample ? input.sample(r, k) : 2 * r() - 1));
    if (role === 'int') graph.initializers.set(name, int64Constant(name, input.dims, values));
    else if (role === 'bool') graph.initializers.set(name, makeTensor(name, 'bool', input.dims, Uint8Array.from(values)));
    else if (role === 'const') graph.initializers.set(name, makeTensor(name, type, input.dims, array(type, values)));
    else {
      graph.inputs.push({ name, type, shape: input.dims });
      feeds[name] = { type, dims: input.dims, data: array(type, values) };
      wrt.push(name);
    }
    return name;
  });
  const outputs = Array.from({ length: c.outputs ?? 1 }, (_, k) => `y${k}`);
  graph.nodes.push(...(c.prelude ?? []), { name: 'op', opType: c.op, domain: '', inputs: inputNames, outputs, attributes: c.attrs ?? {} });
  graph.outputs = outputs.map((name) => ({ name }));
  const opset = c.opset ?? 17;
  const forwardModel = createModel(graph, opset);
  const forward = await createSession(writeModel(forwardModel), { threads: 1, label: c.op });
  const firstRun = await forward.run(feeds);
  const floatOutputs = outputs.filter((o) => firstRun[o].type === 'float32' || firstRun[o].type === 'float64');
  const seeds = floatOutputs.map((o) => {
    const { dims, type: outType } = firstRun[o];
    const name = `g_${o}`;
    feeds[name] = { type: outType, dims, data: array(outType as FloatKind, Array.from({ length: sizeOf(dims) }, () => 2 * r() - 1)) };
    return { value: o, grad: name, dims, type: outType };
  });

  const values = await discoverValues(
    forwardModel,
    graph.inputs.map((i) => ({ name: i.name, type, dims: () => i.shape as number[] })),
    1,
    false,
    c.op,
  );
  const taken = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name), ...outputs, ...seeds.map((s) => s.grad), 'op']);
  const emit = new Emitter(opset, taken, 'grad');
  const grads = buildBackward({
    graph,
    values,
    wrt,
    seeds: seeds.map((s) => ({ value: s.value, grad: s.grad })),
    emit,
    lowering: { ...DEFAULT_LOWERING, ...c.lowering },
    rules: c.rules,
    label: c.op,
  });
  const gradOutputs = wrt.map((w) => grads.get(w));
  const backward: Graph = {
    ...graph,
    nodes: [...graph.nodes, ...emit.nodes],
    initializers: new Map([...graph.initializers, ...emit.initializers]),
    inputs: [...graph.inputs, ...seeds.map((s) => ({ name: s.grad, type: s.type, shape: [...s.dims] }))],
    outputs: gradOutputs.filter((g): g is string => g !== undefined).map((name) => ({ name })),
  };
  const session = await createSession(writeModel(createModel(backward, opset)), { threads: 1, label: `${c.op} backward`, optimization: 'disabled' });
  const analytic = backward.outputs.length > 0 ? await session.run(feeds) : {};

  const eps = c.eps ?? (type === 'float64' ? 1e-6 : 1e-2);
  let maxError = 0;
  let maxAnalytic = 0;
  let elements = 0;
  for (let w = 0; w < wrt.length; w++) {
    const x = feeds[wrt[w]].data as Float32Array | Float64Array;
    const g = gradOutputs[w] ? (analytic[gradOutputs[w]!].data as Float32Array | Float64Array) : new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const saved = x[i];
      x[i] = saved + eps;
      const plus = await loss(forward, feeds, seeds);
      x[i] = saved - eps;
      const minus = await loss(forward, feeds, seeds);
      x[i] = saved;
      const fd = (plus - minus) / (2 * eps);
      maxError = Math.max(maxError, Math.abs(fd - g[i]));
      maxAnalytic = Math.max(maxAnalytic, Math.abs(g[i]));
      elements++;
    }
  }
  await forward.release();
  await session.release();
  const allowed = (c.atol ?? (type === 'float64' ? 1e-6 : 2e-3)) + (c.rtol ?? (type === 'float64' ? 1e-6 : 1e-3)) * maxAnalytic;
  return { maxError, maxAnalytic, allowed, elements, ok: maxError <= allowed && elements > 0 };
}

async function loss(session: Session, feeds: Record<string, HostTensor>, seeds: { value: string; grad: string }[]): Promise<number> {
  const out = await session.run(feeds, seeds.map((s) => s.value));
  let total = 0;
  for (const s of seeds) {
    const y = out[s.value].data as Float32Array | Float64Array;
    const g = feeds[s.grad].data as Float32Array | Float64Array;
    for (let i = 0; i < y.length; i++) total += y[i] * g[i];
  }
  return total;
}

/** Runs `gradCheck` and fails with the numbers when the rule disagrees with finite differences. */
export async function expectGradient(c: CheckCase): Promise<CheckResult> {
  const result = await gradCheck(c);
  if (!result.ok) {
    throw new Error(`${c.op}: finite differences disagree: max error ${result.maxError.toExponential(3)} > allowed ${result.allowed.toExponential(3)} (max |grad| ${result.maxAnalytic.toExponential(3)}, ${result.elements} elements)`);
  }
  return result;
}

export const ints = (value: number[]) => ({ type: 'ints' as const, value });
export const int = (value: number) => ({ type: 'int' as const, value });
export const float = (value: number) => ({ type: 'float' as const, value });
export const str = (value: string) => ({ type: 'string' as const, value });

/** A shuffled grid: distinct values `step` apart, so max-type ops never switch under small perturbations. */
export function distinct(n: number, seed = 3, step = 0.01): number[] {
  const r = rng(seed);
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) * step);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v;
}
