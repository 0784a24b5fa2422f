/** Element types the engine moves between ONNX, onnxruntime and TypeScript. */
export type DataType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string';

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A dense tensor in host memory, row-major. */
export interface HostTensor<T extends NumericArray = NumericArray> {
  readonly type: DataType;
  readonly dims: readonly number[];
  readonly data: T;
}

export type FloatTensor = HostTensor<Float32Array>;

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function floatTensor(dims: readonly number[], data?: Float32Array): FloatTensor {
  const size = sizeOf(dims);
  if (data && data.length !== size) {
    throw new Error(`tensor data has ${data.length} elements, shape [${dims.join(',')}] needs ${size}`);
  }
  return { type: 'float32', dims: [...dims], data: data ?? new Float32Array(size) };
}

export function int64Tensor(dims: readonly number[], values: ArrayLike<number | bigint>): HostTensor<BigInt64Array> {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return { type: 'int64', dims: [...dims], data };
}

/** Bytes per element; strings and bools are stored one byte per element in raw ONNX data. */
export function bytesPerElement(type: DataType): number {
  switch (type) {
    case 'float64':
    case 'int64':
    case 'uint64':
      return 8;
    case 'float32':
    case 'int32':
    case 'uint32':
      return 4;
    case 'float16':
    case 'bfloat16':
    case 'int16':
    case 'uint16':
      return 2;
    default:
      return 1;
  }
}

export function formatShape(dims: readonly (number | string | null)[]): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
