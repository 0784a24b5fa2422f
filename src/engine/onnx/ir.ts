import type { DataType, NumericArray } from '../tensor/tensor';

/**
 * An editable in-memory ONNX model. Field names follow ONNX's, in camelCase. Everything the
 * engine does to graphs (shape discovery, gradient graphs, TF.js conversion) edits this IR
 * and writes it back with `writeModel`.
 */
export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  metadata: Record<string, string>;
  graph: Graph;
  /** Model-local functions, kept as decoded protobuf objects so they round-trip untouched. */
  functions: unknown[];
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface Graph {
  name: string;
  nodes: Node[];
  initializers: Map<string, Tensor>;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  docString: string;
}

export interface Node {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
  docString?: string;
}

/** A dimension: a size, a symbolic name such as "batch", or unknown. */
export type Dim = number | string | null;

export interface ValueInfo {
  name: string;
  type?: DataType;
  shape?: Dim[];
}

/**
 * A constant tensor. `raw` holds little-endian element bytes exactly as ONNX's raw_data does,
 * so a multi-hundred-megabyte initializer is never decoded unless someone asks for it.
 * String tensors keep their elements in `strings` instead.
 */
export interface Tensor {
  name: string;
  type: DataType;
  dims: number[];
  raw: Uint8Array;
  strings?: Uint8Array[];
}

export type AttributeValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: Graph }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensors'; value: Tensor[] }
  | { type: 'graphs'; value: Graph[] };

export function emptyGraph(name = 'graph'): Graph {
  return { name, nodes: [], initializers: new Map(), inputs: [], outputs: [], valueInfo: [], docString: '' };
}

export function createModel(graph: Graph, opset = 17): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    producerName: 'patchlab',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: {},
    graph,
    functions: [],
  };
}

/** The default-domain opset version the model imports. */
export function opsetVersion(model: Model): number {
  return model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
}

export function attrInt(node: Node, name: string, fallback: number): number;
export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, fallback?: number): number | undefined {
  const a = node.attributes[name];
  return a?.type === 'int' ? a.value : fallback;
}

export function attrFloat(node: Node, name: string, fallback: number): number;
export function attrFloat(node: Node, name: string): number | undefined;
export function attrFloat(node: Node, name: string, fallback?: number): number | undefined {
  const a = node.attributes[name];
  return a?.type === 'float' ? a.value : fallback;
}

export function attrInts(node: Node, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a?.type === 'ints' ? a.value : undefined;
}

export function attrFloats(node: Node, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a?.type === 'floats' ? a.value : undefined;
}

export function attrString(node: Node, name: string, fallback: string): string;
export function attrString(node: Node, name: string): string | undefined;
export function attrString(node: Node, name: string, fallback?: string): string | undefined {
  const a = node.attributes[name];
  return a?.type === 'string' ? a.value : fallback;
}

export function attrTensor(node: Node, name: string): Tensor | undefined {
  const a = node.attributes[name];
  return a?.type === 'tensor' ? a.value : undefined;
}

export type { DataType, NumericArray };
