import type { AttributeValue, Graph, Node, Tensor } from '../onnx/ir';
import { dataTypeCode, int64Constant, makeTensor } from '../onnx/tensor-data';
import type { DataType } from '../tensor/tensor';

export type Attrs = Record<string, AttributeValue>;

export const int = (value: number): AttributeValue => ({ type: 'int', value });
export const ints = (value: readonly number[]): AttributeValue => ({ type: 'ints', value: [...value] });
export const float = (value: number): AttributeValue => ({ type: 'float', value });
export const str = (value: string): AttributeValue => ({ type: 'string', value });

export type FloatType = 'float32' | 'float64';

/**
 * Appends nodes and constants to a graph under construction, with names that cannot collide
 * with anything already in it. Helpers for ops whose form changed across opsets (axes as an
 * attribute or as an input) emit the form the graph's opset wants, so rules never branch on it.
 */
export class Emitter {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Tensor>();
  private readonly scalars = new Map<string, string>();
  private counter = 0;

  constructor(
    readonly opset: number,
    private readonly taken: Set<string>,
    private readonly prefix = 'grad',
  ) {}

  /** A fresh value or node name derived from `hint`. */
  fresh(hint: string): string {
    const base = `${this.prefix}/${hint}`;
    let name = base;
    while (this.taken.has(name)) name = `${base}_${++this.counter}`;
    this.taken.add(name);
    return name;
  }

  /** Emits one node and returns its outputs (`outputs` fresh names, hinted by the op type). */
  opN(opType: string, inputs: readonly string[], attrs: Attrs = {}, outputs = 1, domain = ''): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh(opType));
    this.nodes.push({ name: this.fresh(`${opType}_node`), opType, domain, inputs: [...inputs], outputs: names, attributes: attrs });
    return names;
  }

  op(opType: string, inputs: readonly string[], attrs: Attrs = {}): string {
    return this.opN(opType, inputs, attrs, 1)[0];
  }

  /** Emits a node writing to given output names (used when a value's name is fixed, e.g. a graph input). */
  opInto(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Attrs = {}): void {
    this.nodes.push({ name: this.fresh(`${opType}_node`), opType, domain: '', inputs: [...inputs], outputs: [...outputs], attributes: attrs });
  }

  constant(tensor: Omit<Tensor, 'name'>, hint = 'const'): string {
    const name = this.fresh(hint);
    this.initializers.set(name, { ...tensor, name });
    return name;
  }

  floatConst(values: ArrayLike<number>, dims: readonly number[], type: FloatType, hint = 'const'): string {
    const data = type === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
    return this.constant(makeTensor('', type, dims, data), hint);
  }

  /** A scalar constant (shape []), shared between all uses of the same value and type. */
  scalar(value: number, type: FloatType | 'int64' = 'float32'): string {
    const key = `${type}:${Object.is(value, -0) ? '-0' : value}`;
    let name = this.scalars.get(key);
    if (!name) {
      name = type === 'int64' ? this.constant(int64Constant('', [], [value]), 'scalar') : this.floatConst([value], [], type, 'scalar');
      this.scalars.set(key, name);
    }
    return name;
  }

  int64s(values: readonly number[], hint = 'ints'): string {
    return this.constant(int64Constant('', [values.length], values), hint);
  }

  // --- element-wise ---
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  /**
   * The sum of one or more tensors as a chain of Adds rather than one Sum node: WebGPU and CoreML
   * have no Sum kernel (BENCHMARKS: accelerator op coverage), and onnxruntime's CPU provider can
   * fuse an Add into the Conv that produces one of its inputs.
   */
  sum(terms: readonly string[]): string {
    if (terms.length === 0) throw new Error('sum of no terms');
    return terms.slice(1).reduce((acc, t) => this.add(acc, t), terms[0]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  neg(a: string): string {
    return this.op('Neg', [a]);
  }
  where(condition: string, a: string, b: string): string {
    return this.op('Where', [condition, a, b]);
  }
  cast(x: string, to: DataType): string {
    return this.op('Cast', [x], { to: int(dataTypeCode(to)) });
  }

  // --- shape ---
  reshape(x: string, dims: readonly number[]): string {
    return this.op('Reshape', [x, this.int64s(dims, 'shape')]);
  }
  transpose(x: string, perm: readonly number[]): string {
    return this.op('Transpose', [x], { perm: ints(perm) });
  }
  expand(x: string, dims: readonly number[]): string {
    return this.op('Expand', [x, this.int64s(dims, 'shape')]);
  }
  unsqueeze(x: string, axes: readonly number[]): string {
    return this.opset >= 13 ? this.op('Unsqueeze', [x, this.int64s(axes, 'axes')]) : this.op('Unsqueeze', [x], { axes: ints(axes) });
  }
  slice(x: string, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps?: readonly number[]): string {
    const inputs = [x, this.int64s(starts, 'starts'), this.int64s(ends, 'ends'), this.int64s(axes, 'axes')];
    if (steps) inputs.push(this.int64s(steps, 'steps'));
    return this.op('Slice', inputs);
  }
  /** Constant zero padding; `pads` is [begin..., end...] over all axes, as ONNX lays it out. */
  pad(x: string, pads: readonly number[]): string {
    return this.op('Pad', [x, this.int64s(pads, 'pads')], { mode: str('constant') });
  }
  concat(xs: readonly string[], axis: number): string {
    return xs.length === 1 ? xs[0] : this.op('Concat', xs, { axis: int(axis) });
  }

  /** A reduction over `axes`; ReduceSum takes axes as an input from opset 13, the rest from 18. */
  reduce(opType: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin', x: string, axes: readonly number[], keepdims: boolean): string {
    const asInput = opType === 'ReduceSum' ? this.opset >= 13 : this.opset >= 18;
    const attrs: Attrs = { keepdims: int(keepdims ? 1 : 0) };
    if (asInput) return this.op(opType, [x, this.int64s(axes, 'axes')], attrs);
    return this.op(opType, [x], { ...attrs, axes: ints(axes) });
  }
  reduceSum(x: string, axes: readonly number[], keepdims = true): string {
    return this.reduce('ReduceSum', x, axes, keepdims);
  }
}

/** Every value, initializer, input and node name of a graph (what fresh names must avoid). */
export function namesIn(graph: Graph): Set<string> {
  const names = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name)]);
  for (const n of graph.nodes) {
    names.add(n.name);
    for (const o of n.outputs) names.add(o);
  }
  return names;
}
