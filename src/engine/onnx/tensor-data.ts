import { bytesPerElement, sizeOf, type DataType, type NumericArray } from '../tensor/tensor';
import type { Tensor } from './ir';

/** ONNX TensorProto.DataType codes. */
const CODES: Record<DataType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
};

const BY_CODE = new Map<number, DataType>(Object.entries(CODES).map(([k, v]) => [v, k as DataType]));

export function dataTypeCode(type: DataType): number {
  return CODES[type];
}

export function dataTypeFromCode(code: number): DataType {
  const type = BY_CODE.get(code);
  if (!type) throw new Error(`unsupported ONNX tensor element type ${code}`);
  return type;
}

function arrayConstructor(type: DataType) {
  switch (type) {
    case 'float32':
      return Float32Array;
    case 'float64':
      return Float64Array;
    case 'int8':
      return Int8Array;
    case 'uint8':
    case 'bool':
      return Uint8Array;
    case 'int16':
      return Int16Array;
    case 'uint16':
    case 'float16':
    case 'bfloat16':
      return Uint16Array;
    case 'int32':
      return Int32Array;
    case 'uint32':
      return Uint32Array;
    case 'int64':
      return BigInt64Array;
    case 'uint64':
      return BigUint64Array;
    case 'string':
      throw new Error('string tensors have no numeric array form');
  }
}

/**
 * The tensor's elements as a typed array (float16/bfloat16 as their raw uint16 bits). Copies
 * when the raw bytes are not aligned for a direct view, which is the usual case for data
 * sliced out of a protobuf buffer.
 */
export function tensorArray(t: Tensor): NumericArray {
  const Ctor = arrayConstructor(t.type);
  const width = bytesPerElement(t.type);
  const count = t.raw.byteLength / width;
  if (count !== sizeOf(t.dims)) {
    throw new Error(`initializer '${t.name}' holds ${count} elements but its shape [${t.dims.join(',')}] needs ${sizeOf(t.dims)}`);
  }
  if (t.raw.byteOffset % width === 0) return new Ctor(t.raw.buffer as ArrayBuffer, t.raw.byteOffset, count);
  const copy = new Uint8Array(t.raw.byteLength);
  copy.set(t.raw);
  return new Ctor(copy.buffer, 0, count);
}

export function floatArray(t: Tensor): Float32Array {
  if (t.type !== 'float32') throw new Error(`initializer '${t.name}' is ${t.type}, expected float32`);
  return tensorArray(t) as Float32Array;
}

/** Integer elements as JS numbers (int64 values beyond 2^53 lose precision, as ONNX's own tools do). */
export function intValues(t: Tensor): number[] {
  const a = tensorArray(t);
  return Array.from(a as ArrayLike<number | bigint>, (v) => Number(v));
}

export function makeTensor(name: string, type: DataType, dims: readonly number[], data: NumericArray): Tensor {
  if (data.length !== sizeOf(dims)) {
    throw new Error(`tensor '${name}' has ${data.length} elements but shape [${dims.join(',')}] needs ${sizeOf(dims)}`);
  }
  return { name, type, dims: [...dims], raw: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function floatConstant(name: string, dims: readonly number[], values: ArrayLike<number>): Tensor {
  return makeTensor(name, 'float32', dims, Float32Array.from(values));
}

export function int64Constant(name: string, dims: readonly number[], values: ArrayLike<number | bigint>): Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return makeTensor(name, 'int64', dims, data);
}
