import type { TfjsArtifacts } from '../../src/engine/tfjs/artifacts';
import { tfjsGraphModel } from '../../src/engine/tfjs/artifacts';
import { convertTfjs, type ConvertOptions } from '../../src/engine/tfjs/convert';
import type { TfAttrValue, TfNodeJson } from '../../src/engine/tfjs/graph';
import { tfjs } from '../../src/engine/tfjs/runtime';
import { createSession } from '../../src/engine/onnx/session';
import { writeModel } from '../../src/engine/onnx/write';
import type { HostTensor } from '../../src/engine/tensor/tensor';

/** Attribute values as protobuf JSON writes them. */
export const a = {
  i: (v: number): TfAttrValue => ({ i: String(v) }),
  f: (v: number): TfAttrValue => ({ f: v }),
  b: (v: boolean): TfAttrValue => ({ b: v }),
  s: (v: string): TfAttrValue => ({ s: Buffer.from(v).toString('base64') }),
  ints: (v: number[]): TfAttrValue => ({ list: { i: v.map(String) } }),
  strings: (v: string[]): TfAttrValue => ({ list: { s: v.map((x) => Buffer.from(x).toString('base64')) } }),
  type: (t: 'DT_FLOAT' | 'DT_INT32' | 'DT_BOOL'): TfAttrValue => ({ type: t }),
  shape: (dims: number[]): TfAttrValue => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } }),
};

export interface TestTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  values: ArrayLike<number>;
  /** Store float32 weights quantised, as TF.js's converter does with --quantize_float16 / --quantize_uint8. */
  quantize?: 'float16' | 'uint8';
}

/** A tiny pseudo-random generator so op tests are reproducible. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function randomTensor(shape: number[], seed: number, lo = -1, hi = 1): TestTensor {
  const r = random(seed);
  const n = shape.reduce((x, y) => x * y, 1);
  return { dtype: 'float32', shape, values: Float32Array.from({ length: n }, () => lo + (hi - lo) * r()) };
}

export function ints(shape: number[], values: number[]): TestTensor {
  return { dtype: 'int32', shape, values };
}

/** Builds TF.js graph-model artifacts in memory from nodes and named constants. */
export class GraphBuilder {
  readonly nodes: TfNodeJson[] = [];
  private readonly weights: { name: string; t: TestTensor }[] = [];

  input(name: string, shape: number[], dtype: 'DT_FLOAT' | 'DT_INT32' = 'DT_FLOAT'): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: a.type(dtype), shape: a.shape(shape) } });
    return name;
  }

  const(name: string, t: TestTensor): string {
    this.nodes.push({ name, op: 'Const', attr: { dtype: a.type(t.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT') } });
    this.weights.push({ name, t });
    return name;
  }

  op(name: string, op: string, input: string[], attr: Record<string, TfAttrValue> = {}): string {
    this.nodes.push({ name, op, input, attr: { T: a.type('DT_FLOAT'), ...attr } });
    return name;
  }

  artifacts(label = 'test graph'): TfjsArtifacts {
    const encoded = this.weights.map(({ name, t }) => encodeWeight(name, t));
    const total = encoded.reduce((n, e) => n + e.bytes.byteLength, 0);
    const data = new Uint8Array(total);
    let offset = 0;
    for (const e of encoded) {
      data.set(e.bytes, offset);
      offset += e.bytes.byteLength;
    }
    return {
      label,
      format: 'graph-model',
      nodes: this.nodes,
      topology: { node: this.nodes, versions: {} },
      weightSpecs: encoded.map((e) => e.spec),
      weightData: data.buffer,
      sources: [],
    };
  }

  /** The model.json text and its single weight shard, as TF.js's converter writes them. */
  files(shard = 'weights.bin'): { json: string; bin: Uint8Array } {
    const a = this.artifacts();
    const json = {
      format: 'graph-model',
      generatedBy: 'patchlab test fixture',
      convertedBy: null,
      modelTopology: a.topology,
      weightsManifest: [{ paths: [shard], weights: a.weightSpecs }],
    };
    return { json: JSON.stringify(json, null, 1) + '\n', bin: new Uint8Array(a.weightData) };
  }
}

export interface ParityResult {
  /** Largest |TF.js - ORT| per output, relative to max(range, max |TF.js|). */
  relative: Record<string, number>;
  onnxOps: Record<string, number>;
}

/**
 * Runs TF.js (CPU backend) and the converted ONNX graph (onnxruntime) on the same inputs and
 * compares every output. Inputs are NHWC as TF sees them; 4-D ones are transposed for the
 * NCHW graph input.
 */
export async function tfjsParity(artifacts: TfjsArtifacts, feeds: Record<string, TestTensor>, options: ConvertOptions = {}): Promise<ParityResult> {
  const tf = await tfjs();
  const { model, report } = await convertTfjs(artifacts, options);
  const session = await createSession(writeModel(model), { label: artifacts.label });
  const reference = await tfjsGraphModel(artifacts);
  const tfFeeds = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, tf.tensor(t.values as Float32Array, t.shape, t.dtype)]));
  const outputNames = model.graph.outputs.map((o) => o.name);
  const expected = reference.execute(tfFeeds, outputNames);
  const expectedList = Array.isArray(expected) ? expected : [expected];
  const ortFeeds: Record<string, HostTensor> = {};
  for (const input of model.graph.inputs) {
    const t = feeds[input.name];
    const nchw = t.shape.length === 4 && (options.inputLayout ?? 'NCHW') === 'NCHW';
    const data = nchw ? toNchw(t) : t.values;
    ortFeeds[input.name] = {
      type: t.dtype,
      dims: nchw ? [t.shape[0], t.shape[3], t.shape[1], t.shape[2]] : t.shape,
      data: t.dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data),
    };
  }
  const actual = await session.run(ortFeeds);
  const relative: Record<string, number> = {};
  outputNames.forEach((name, i) => {
    const want = expectedList[i];
    const got = actual[name];
    if (JSON.stringify([...got.dims]) !== JSON.stringify(want.shape)) throw new Error(`${name}: ONNX shape [${got.dims}] but TF.js [${want.shape}]`);
    relative[name] = relativeDiff(Array.from(want.dataSync() as ArrayLike<number>), Array.from(got.data as ArrayLike<number | bigint>, Number));
  });
  tf.dispose([...Object.values(tfFeeds), ...expectedList]);
  await session.release();
  return { relative, onnxOps: report.onnxOps };
}

export function relativeDiff(want: number[], got: number[]): number {
  let diff = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let big = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(want[i] - got[i]));
    lo = Math.min(lo, want[i]);
    hi = Math.max(hi, want[i]);
    big = Math.max(big, Math.abs(want[i]));
  }
  if (Number.isNaN(diff)) return Infinity;
  // Near-zero outputs (a sigmoid of -20) compare absolutely, to 1e-3 of a unit scale.
  return diff / Math.max(hi - lo, big, 1e-3);
}

function toNchw(t: TestTensor): number[] {
  const [n, h, w, c] = t.shape;
  const out = new Array<number>(t.values.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = t.values[((b * h + y) * w + x) * c + k];
  return out;
}

type WeightSpec = TfjsArtifacts['weightSpecs'][number];

function encodeWeight(name: string, t: TestTensor): { spec: WeightSpec; bytes: Uint8Array } {
  const base = { name, shape: t.shape, dtype: t.dtype };
  if (t.dtype === 'int32') return { spec: base, bytes: new Uint8Array(Int32Array.from(t.values).buffer) };
  if (t.quantize === 'float16') {
    const half = Uint16Array.from(Array.from(t.values), toFloat16);
    return { spec: { ...base, quantization: { dtype: 'float16' } }, bytes: new Uint8Array(half.buffer) };
  }
  if (t.quantize === 'uint8') {
    const values = Array.from(t.values);
    const min = Math.min(...values);
    const scale = (Math.max(...values) - min) / 255 || 1;
    const q = Uint8Array.from(values, (v) => Math.round((v - min) / scale));
    return { spec: { ...base, quantization: { dtype: 'uint8', min, scale } }, bytes: q };
  }
  return { spec: base, bytes: new Uint8Array(Float32Array.from(t.values).buffer) };
}

/** IEEE 754 half-precision bits of a float (round to nearest even; no subnormal output needed here). */
function toFloat16(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  let mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign;
  if (exponent >= 31) return sign | 0x7c00;
  const round = mantissa & 0x1fff;
  mantissa >>>= 13;
  if (round > 0x1000 || (round === 0x1000 && (mantissa & 1))) mantissa++;
  return (sign | (exponent << 10)) + mantissa;
}
