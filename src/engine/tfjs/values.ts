import type { TfDtype } from './graph';

/** A dimension: its size, or null when unknown until run time (a free batch size). */
export type Dim = number | null;

/**
 * How a value's ONNX tensor is laid out relative to TensorFlow's logical tensor: `tf` holds
 * it exactly as TF.js would; `nchw` holds a 4-D NHWC tensor transposed to NCHW, which is how
 * convolutions, pools and resizes want it. Converting at the input and back only where a
 * value leaves the NCHW world keeps the graph free of per-layer transposes.
 */
export type Layout = 'tf' | 'nchw';

export type ConstArray = Float32Array | Int32Array | Uint8Array;

/** A tensor known while converting (a weight, or something folded from weights and static shapes). */
export interface ConstData {
  dtype: TfDtype;
  shape: number[];
  data: ConstArray;
}

export interface TfValue {
  /** The TF tensor name (`node` or `node:1`). */
  ref: string;
  dtype: TfDtype;
  /** The TF (logical) shape, whatever the layout. */
  shape: Dim[];
  layout: Layout;
  /** The ONNX value holding it; absent for constants until something needs them as a tensor. */
  onnx?: string;
  constant?: ConstData;
  /** For small run-time int vectors: the elements known at conversion time (see partial.ts). */
  partial?: (number | null)[];
}

/** NHWC axis -> NCHW axis. */
export const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1];
/** Transpose perm taking NHWC data to NCHW. */
export const TO_NCHW = [0, 3, 1, 2];
/** Transpose perm taking NCHW data to NHWC. */
export const TO_NHWC = [0, 2, 3, 1];

export function knownShape(shape: readonly Dim[]): shape is number[] {
  return shape.every((d) => d !== null);
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** NumPy/TF broadcasting of two shapes; unknown dims stay unknown unless the other side fixes them. */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const ia = a.length - rank + i;
    const ib = b.length - rank + i;
    const x = ia >= 0 ? a[ia] : 1;
    const y = ib >= 0 ? b[ib] : 1;
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x === null) out.push(y);
    else if (y === null || x === y) out.push(x);
    else throw new Error(`shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
  }
  return out;
}

/** Transposes row-major data; perm[i] is the source axis of output axis i. */
export function transposeData<T extends ConstArray>(data: T, shape: readonly number[], perm: readonly number[]): T {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * shape[i + 1];
  const strides = perm.map((p) => inStrides[p]);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += index[i] * strides[i];
    out[o] = data[src];
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i] < outShape[i]) break;
      index[i] = 0;
    }
  }
  return out;
}

export function constNumbers(c: ConstData): number[] {
  return Array.from(c.data as ArrayLike<number>);
}

/** A const holding one repeated value (a scalar, or a broadcast of one). */
export function uniformValue(c: ConstData): number | undefined {
  if (c.data.length === 0) return undefined;
  const first = c.data[0];
  for (let i = 1; i < c.data.length; i++) if (c.data[i] !== first) return undefined;
  return first;
}

export function formatDims(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
