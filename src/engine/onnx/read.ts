import { dirname, resolve } from 'node:path';
import { UserError, firstLine } from '../errors';
import { readContainedFile, readRegularFile } from '../fs/contained';
import { bytesPerElement, type DataType } from '../tensor/tensor';
import type { AttributeValue, Dim, Graph, Model, Node, Tensor, ValueInfo } from './ir';
import { modelProtoType, toNumber } from './proto';
import { dataTypeFromCode } from './tensor-data';

/* eslint-disable @typescript-eslint/no-explicit-any -- decoded protobuf messages are untyped */

export interface ReadOptions {
  /** Where external tensor data files live; defaults to the model file's folder. */
  baseDir?: string;
  /** Name used in error messages. */
  label?: string;
}

export function readModelFile(path: string): Model {
  const bytes = readRegularFile(path, path);
  return readModel(bytes, { baseDir: dirname(resolve(path)), label: path });
}

/** Whether any tensor of the model keeps its data in another file (ONNX external data). */
export function hasExternalData(bytes: Uint8Array): boolean {
  let proto: any;
  try {
    proto = modelProtoType().decode(bytes);
  } catch {
    return false;
  }
  const graphHas = (g: any): boolean =>
    (g?.initializer ?? []).some((t: any) => t.data_location === 1) ||
    (g?.node ?? []).some((n: any) => (n.attribute ?? []).some((a: any) => a.t?.data_location === 1 || graphHas(a.g) || (a.graphs ?? []).some(graphHas)));
  return graphHas(proto.graph);
}

/** Decodes ONNX ModelProto bytes, rejecting files that are not ONNX or are cut short. */
export function readModel(bytes: Uint8Array, options: ReadOptions = {}): Model {
  const label = options.label ?? 'model';
  if (bytes.byteLength === 0) throw new UserError(`${label}: empty file, not an ONNX model`);
  let proto: any;
  try {
    proto = modelProtoType().decode(bytes);
  } catch (error) {
    const reason = firstLine(error);
    const truncated = /index out of range/i.test(reason);
    throw new UserError(
      truncated
        ? `${label}: truncated or corrupt ONNX file (protobuf data ends early)`
        : `${label}: not an ONNX model (protobuf decoding failed: ${reason})`,
    );
  }
  if (!proto.graph || toNumber(proto.ir_version) <= 0 || (proto.graph.node?.length ?? 0) === 0) {
    throw new UserError(`${label}: not an ONNX model (no graph with nodes and an IR version)`);
  }
  const external = { baseDir: options.baseDir, label };
  return {
    irVersion: toNumber(proto.ir_version),
    opsetImports: (proto.opset_import ?? []).map((o: any) => ({ domain: o.domain ?? '', version: toNumber(o.version) })),
    producerName: proto.producer_name ?? '',
    producerVersion: proto.producer_version ?? '',
    domain: proto.domain ?? '',
    modelVersion: toNumber(proto.model_version ?? 0),
    docString: proto.doc_string ?? '',
    metadata: Object.fromEntries((proto.metadata_props ?? []).map((p: any) => [p.key, p.value])),
    graph: readGraph(proto.graph, external),
    functions: proto.functions ?? [],
  };
}

interface ExternalContext {
  baseDir?: string;
  label: string;
}

function readGraph(g: any, ctx: ExternalContext): Graph {
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) initializers.set(t.name, readTensor(t, ctx));
  if ((g.sparse_initializer?.length ?? 0) > 0) {
    throw new UserError(`${ctx.label}: sparse initializers are not supported`);
  }
  return {
    name: g.name ?? '',
    nodes: (g.node ?? []).map((n: any) => readNode(n, ctx)),
    initializers,
    inputs: (g.input ?? []).map(readValueInfo),
    outputs: (g.output ?? []).map(readValueInfo),
    valueInfo: (g.value_info ?? []).map(readValueInfo),
    docString: g.doc_string ?? '',
  };
}

function readNode(n: any, ctx: ExternalContext): Node {
  const attributes: Record<string, AttributeValue> = {};
  for (const a of n.attribute ?? []) attributes[a.name] = readAttribute(a, ctx);
  const node: Node = {
    name: n.name ?? '',
    opType: n.op_type,
    domain: n.domain ?? '',
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attributes,
  };
  if (n.doc_string) node.docString = n.doc_string;
  return node;
}

const decoder = new TextDecoder();

function readAttribute(a: any, ctx: ExternalContext): AttributeValue {
  switch (a.type) {
    case 1:
      return { type: 'float', value: a.f ?? 0 };
    case 2:
      return { type: 'int', value: toNumber(a.i ?? 0) };
    case 3:
      return { type: 'string', value: decoder.decode(a.s ?? new Uint8Array()) };
    case 4:
      return { type: 'tensor', value: readTensor(a.t, ctx) };
    case 5:
      return { type: 'graph', value: readGraph(a.g, ctx) };
    case 6:
      return { type: 'floats', value: [...(a.floats ?? [])] };
    case 7:
      return { type: 'ints', value: (a.ints ?? []).map(toNumber) };
    case 8:
      return { type: 'strings', value: (a.strings ?? []).map((s: Uint8Array) => decoder.decode(s)) };
    case 9:
      return { type: 'tensors', value: (a.tensors ?? []).map((t: any) => readTensor(t, ctx)) };
    case 10:
      return { type: 'graphs', value: (a.graphs ?? []).map((g: any) => readGraph(g, ctx)) };
    default:
      throw new UserError(`${ctx.label}: attribute '${a.name}' has unsupported type ${a.type}`);
  }
}

function readValueInfo(v: any): ValueInfo {
  const info: ValueInfo = { name: v.name };
  const tensorType = v.type?.tensor_type;
  if (tensorType) {
    if (tensorType.elem_type) {
      try {
        info.type = dataTypeFromCode(tensorType.elem_type);
      } catch {
        // An exotic element type on a value we only describe; leave it unknown.
      }
    }
    if (tensorType.shape) {
      info.shape = (tensorType.shape.dim ?? []).map((d: any): Dim => {
        if (d.dim_value !== undefined && d.dim_value !== null && toNumber(d.dim_value) > 0) return toNumber(d.dim_value);
        if (d.dim_param) return d.dim_param;
        return null;
      });
    }
  }
  return info;
}

function readTensor(t: any, ctx: ExternalContext): Tensor {
  const type = dataTypeFromCode(t.data_type);
  const dims = (t.dims ?? []).map(toNumber);
  const name = t.name ?? '';
  if (type === 'string') {
    return { name, type, dims, raw: new Uint8Array(), strings: [...(t.string_data ?? [])] };
  }
  if (t.data_location === 1) return { name, type, dims, raw: readExternal(t, ctx) };
  if (t.raw_data && t.raw_data.byteLength > 0) return { name, type, dims, raw: t.raw_data };
  return { name, type, dims, raw: typedFieldBytes(t, type) };
}

/** Packs the typed repeated fields ONNX allows instead of raw_data into raw little-endian bytes. */
function typedFieldBytes(t: any, type: DataType): Uint8Array {
  switch (type) {
    case 'float32':
      return bytesOf(Float32Array.from(t.float_data ?? []));
    case 'float64':
      return bytesOf(Float64Array.from(t.double_data ?? []));
    case 'int64':
      return bytesOf(BigInt64Array.from((t.int64_data ?? []).map((v: unknown) => BigInt(String(v)))));
    case 'uint64':
      return bytesOf(BigUint64Array.from((t.uint64_data ?? []).map((v: unknown) => BigInt(String(v)))));
    case 'uint32':
      return bytesOf(Uint32Array.from((t.uint64_data ?? []).map(toNumber)));
    case 'int32':
      return bytesOf(Int32Array.from(t.int32_data ?? []));
    case 'int16':
      return bytesOf(Int16Array.from(t.int32_data ?? []));
    case 'uint16':
    case 'float16':
    case 'bfloat16':
      return bytesOf(Uint16Array.from(t.int32_data ?? []));
    case 'int8':
      return bytesOf(Int8Array.from(t.int32_data ?? []));
    case 'uint8':
    case 'bool':
      return bytesOf(Uint8Array.from(t.int32_data ?? []));
    case 'string':
      return new Uint8Array();
  }
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function readExternal(t: any, ctx: ExternalContext): Uint8Array {
  const entries: Record<string, string> = Object.fromEntries((t.external_data ?? []).map((e: any) => [e.key, e.value]));
  if (!entries.location) throw new UserError(`${ctx.label}: tensor '${t.name}' has external data without a location`);
  if (!ctx.baseDir) {
    throw new UserError(`${ctx.label}: tensor '${t.name}' keeps its data in '${entries.location}'; load the model from its file`);
  }
  // Contained: an exporter (or an attacker) can write any location; only files in the model's folder are read.
  const data = readContainedFile(ctx.baseDir, entries.location, { label: ctx.label, what: `external data file for tensor '${t.name}'` });
  const offset = Number(entries.offset ?? 0);
  const count = (t.dims ?? []).map(toNumber).reduce((a: number, b: number) => a * b, 1);
  const length = entries.length !== undefined ? Number(entries.length) : count * bytesPerElement(dataTypeFromCode(t.data_type));
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new UserError(`${ctx.label}: tensor '${t.name}' has an invalid external data offset or length`);
  }
  if (offset + length > data.byteLength) {
    throw new UserError(`${ctx.label}: external data file '${entries.location}' is shorter than tensor '${t.name}' needs`);
  }
  return data.subarray(offset, offset + length);
}
