import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic';
import { UserError } from '../errors';
import type { DataType, HostTensor, NumericArray } from './tensor';
import { sizeOf } from './tensor';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCRS: Record<string, DataType> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<i4': 'int32',
  '<i8': 'int64',
  '|u1': 'uint8',
  '|i1': 'int8',
  '|b1': 'bool',
};

/** Parses a numpy .npy file (format v1, v2 or v3), little-endian numeric types, C order. */
export function parseNpy(bytes: Uint8Array, label = 'array'): HostTensor {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new UserError(`${label}: not a .npy file`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let offset: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    headerLength = view.getUint32(8, true);
    offset = 12;
  } else {
    throw new UserError(`${label}: unsupported .npy format version ${major}`);
  }
  const header = new TextDecoder().decode(bytes.subarray(offset, offset + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new UserError(`${label}: malformed .npy header`);
  if (fortran) throw new UserError(`${label}: Fortran-ordered .npy arrays are not supported; save with np.ascontiguousarray`);
  const type = DESCRS[descr.replace('=', '<')];
  if (!type) throw new UserError(`${label}: unsupported .npy dtype '${descr}' (use float32)`);
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const dataStart = offset + headerLength;
  const count = sizeOf(dims);
  // Copy into a fresh buffer: a Node Buffer's .buffer is a shared pool with unrelated bytes.
  const body = new Uint8Array(bytes.subarray(dataStart));
  const data = typedView(type, body.buffer, count);
  if (data.length < count) throw new UserError(`${label}: .npy data is shorter than its shape ${JSON.stringify(dims)}`);
  return { type, dims, data };
}

function typedView(type: DataType, buffer: ArrayBuffer, count: number): NumericArray {
  const available = (width: number) => Math.min(count, Math.floor(buffer.byteLength / width));
  switch (type) {
    case 'float32':
      return new Float32Array(buffer, 0, available(4));
    case 'float64':
      return new Float64Array(buffer, 0, available(8));
    case 'int32':
      return new Int32Array(buffer, 0, available(4));
    case 'int64':
      return new BigInt64Array(buffer, 0, available(8));
    case 'int8':
      return new Int8Array(buffer, 0, available(1));
    default:
      return new Uint8Array(buffer, 0, available(1));
  }
}

export function readNpy(path: string): HostTensor {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new UserError(`${path}: no such file`);
  }
  return parseNpy(bytes, path);
}

const DESCR_OF: Partial<Record<DataType, string>> = {
  float32: '<f4',
  float64: '<f8',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  int8: '|i1',
  bool: '|b1',
};

/** Serialises a tensor as .npy format v1 (or v2 when the header needs it). */
export function encodeNpy(tensor: HostTensor): Uint8Array {
  const descr = DESCR_OF[tensor.type];
  if (!descr) throw new Error(`cannot write ${tensor.type} arrays as .npy`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const v1 = header.length + 11 < 65536;
  const prefix = v1 ? 10 : 12;
  const total = Math.ceil((prefix + header.length + 1) / 64) * 64;
  header = header.padEnd(total - prefix - 1, ' ') + '\n';
  const data = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const out = new Uint8Array(prefix + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = v1 ? 1 : 2;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (v1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), prefix);
  out.set(data, prefix + header.length);
  return out;
}

/** Writes atomically: a crash leaves the old file or the new one. */
export function writeNpy(path: string, tensor: HostTensor): void {
  writeFileAtomic(path, encodeNpy(tensor));
}
