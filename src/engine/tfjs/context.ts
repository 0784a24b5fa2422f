import type { AttrMap, OnnxBuilder } from './builder';
import { ONNX_TYPE } from './builder';
import { Attrs, refName, type TfDtype, type TfNode } from './graph';
import { TO_NCHW, TO_NHWC, transposeData, type ConstData, type Dim, type Layout, type TfValue } from './values';

/** Thrown by an op handler for a node it cannot convert; the converter collects them all. */
export class UnsupportedNode extends Error {}

/** Where values live while converting: TF tensor name -> value, plus cached layout copies. */
export class ValueTable {
  private readonly values = new Map<string, TfValue>();
  private readonly copies = new Map<string, string>();

  constructor(private readonly builder: OnnxBuilder) {}

  get(ref: string): TfValue | undefined {
    return this.values.get(ref);
  }

  set(value: TfValue): void {
    this.values.set(value.ref, value);
  }

  /** The ONNX name holding `v` in `layout`, adding a transpose (or an initializer) on first use. */
  as(v: TfValue, layout: Layout): string {
    if (layout === 'nchw' && v.shape.length !== 4) throw new Error(`${v.ref} has rank ${v.shape.length}; only 4-D values go NCHW`);
    if (v.constant) return this.constant(v, layout);
    if (!v.onnx) throw new Error(`${v.ref} has no ONNX value`);
    if (v.layout === layout) return v.onnx;
    const key = `${v.onnx}\u0000${layout}`;
    const cached = this.copies.get(key);
    if (cached) return cached;
    const name = this.builder.unique(layout === 'tf' ? v.ref : `${v.ref}::nchw`);
    this.builder.node('Transpose', [v.onnx], [name], { perm: { type: 'ints', value: layout === 'tf' ? TO_NHWC : TO_NCHW } });
    this.copies.set(key, name);
    return name;
  }

  private constant(v: TfValue, layout: Layout): string {
    const c = v.constant as ConstData;
    const key = `const\u0000${v.ref}\u0000${layout}`;
    const cached = this.copies.get(key);
    if (cached) return cached;
    const data = layout === 'nchw' ? { ...c, shape: TO_NCHW.map((p) => c.shape[p]), data: transposeData(c.data, c.shape, TO_NCHW) } : c;
    const name = this.builder.constant(layout === 'nchw' ? `${v.ref}::nchw` : v.ref, data);
    this.copies.set(key, name);
    return name;
  }
}

export interface OutputSpec {
  dtype: TfDtype;
  shape: Dim[];
  layout?: Layout;
}

/** What an op handler sees: its node, its inputs, and ways to add ONNX nodes. */
export class OpContext {
  readonly attrs: Attrs;

  constructor(
    readonly node: TfNode,
    private readonly table: ValueTable,
    readonly builder: OnnxBuilder,
  ) {
    this.attrs = new Attrs(node);
  }

  get inputCount(): number {
    return this.node.inputs.length;
  }

  input(i: number): TfValue {
    const ref = this.node.inputs[i];
    if (!ref) this.unsupported(`expects input ${i}`);
    const v = this.table.get(refName(ref));
    if (!v) throw new Error(`${this.node.name}: input ${refName(ref)} was not converted`);
    return v;
  }

  inputs(): TfValue[] {
    return this.node.inputs.map((_, i) => this.input(i));
  }

  /** Input `i`'s value, which this conversion needs at conversion time. */
  constInput(i: number, what: string): ConstData {
    const v = this.input(i);
    if (!v.constant) this.unsupported(`${what} (input ${i}) must be a constant, but it is computed at run time`);
    return v.constant;
  }

  /** Input `i`'s elements where known at conversion time (a constant, or a tracked partial vector). */
  knownNumbers(i: number): (number | null)[] | undefined {
    const v = this.input(i);
    if (v.constant) return Array.from(v.constant.data as ArrayLike<number>);
    return v.partial;
  }

  constNumbers(i: number, what: string): number[] {
    return Array.from(this.constInput(i, what).data as ArrayLike<number>);
  }

  tf(v: TfValue): string {
    return this.table.as(v, 'tf');
  }

  nchw(v: TfValue): string {
    return this.table.as(v, 'nchw');
  }

  as(v: TfValue, layout: Layout): string {
    return this.table.as(v, layout);
  }

  /** Declares output `k` and returns the ONNX name the handler must write it to. */
  output(k: number, spec: OutputSpec): string {
    const ref = k === 0 ? this.node.name : `${this.node.name}:${k}`;
    const layout = spec.layout ?? 'tf';
    const onnx = this.builder.claim(layout === 'nchw' ? `${ref}::nchw` : ref);
    this.table.set({ ref, dtype: spec.dtype, shape: spec.shape, layout, onnx });
    return onnx;
  }

  /** A fresh name for an intermediate value of this node. */
  temp(suffix: string): string {
    return this.builder.unique(`${this.node.name}::${suffix}`);
  }

  emit(opType: string, inputs: string[], output: string | string[], attributes: AttrMap = {}): void {
    this.builder.node(opType, inputs, Array.isArray(output) ? output : [output], attributes);
  }

  /** Emits one node into a fresh temp value and returns its name. */
  op(opType: string, inputs: string[], attributes: AttrMap = {}, suffix = opType.toLowerCase()): string {
    const out = this.temp(suffix);
    this.emit(opType, inputs, out, attributes);
    return out;
  }

  int64(values: readonly number[], suffix = 'const', dims?: readonly number[]): string {
    return this.builder.int64(`${this.node.name}::${suffix}`, values, dims);
  }

  float(values: readonly number[], suffix = 'const', dims?: readonly number[]): string {
    return this.builder.float(`${this.node.name}::${suffix}`, values, dims);
  }

  constant(c: ConstData, suffix: string): string {
    return this.builder.constant(`${this.node.name}::${suffix}`, c);
  }

  cast(input: string, to: TfDtype | 'int64', suffix = 'cast'): string {
    return this.op('Cast', [input], { to: { type: 'int', value: ONNX_TYPE[to] } }, suffix);
  }

  /** A run-time int32 TF value as the int64 tensor ONNX shape inputs need. */
  int64Input(v: TfValue, suffix: string): string {
    if (v.constant) return this.int64(Array.from(v.constant.data as ArrayLike<number>), suffix, v.constant.shape);
    return this.cast(this.tf(v), 'int64', suffix);
  }

  unsupported(reason: string): never {
    throw new UnsupportedNode(reason);
  }
}
