/**
 * The TF.js graph-model JSON (a TensorFlow GraphDef in protobuf-JSON form) as plain typed
 * objects: nodes with parsed input references and attribute readers.
 */

export type TfDtype = 'float32' | 'int32' | 'bool' | 'string';

/** One attribute value as protobuf JSON writes it (int64 as strings, bytes as base64). */
export interface TfAttrValue {
  i?: string | number;
  f?: number;
  b?: boolean;
  s?: string;
  type?: string;
  shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
  list?: { i?: (string | number)[]; f?: number[]; s?: string[]; b?: boolean[]; type?: string[] };
  tensor?: unknown;
  func?: unknown;
}

export interface TfNodeJson {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
  device?: string;
}

/** A reference to output `index` of node `node`. */
export interface TfRef {
  node: string;
  index: number;
}

export interface TfNode {
  name: string;
  op: string;
  inputs: TfRef[];
  /** Nodes this one must run after (`^name` inputs); they carry no data. */
  controlInputs: string[];
  attr: Record<string, TfAttrValue>;
}

/** Parses `name`, `name:1` or `^name` (a control dependency). */
export function parseRef(text: string): TfRef & { control: boolean } {
  if (text.startsWith('^')) return { node: text.slice(1), index: 0, control: true };
  const match = /^(.*):(\d+)$/.exec(text);
  if (!match) return { node: text, index: 0, control: false };
  return { node: match[1], index: Number(match[2]), control: false };
}

export function refName(ref: TfRef): string {
  return ref.index === 0 ? ref.node : `${ref.node}:${ref.index}`;
}

export function parseNode(json: TfNodeJson): TfNode {
  const inputs: TfRef[] = [];
  const controlInputs: string[] = [];
  for (const text of json.input ?? []) {
    const ref = parseRef(text);
    if (ref.control) controlInputs.push(ref.node);
    else inputs.push({ node: ref.node, index: ref.index });
  }
  return { name: json.name, op: json.op, inputs, controlInputs, attr: json.attr ?? {} };
}

const DTYPES: Record<string, TfDtype> = {
  DT_FLOAT: 'float32',
  DT_HALF: 'float32',
  DT_DOUBLE: 'float32',
  DT_BFLOAT16: 'float32',
  DT_INT32: 'int32',
  DT_INT64: 'int32',
  DT_INT16: 'int32',
  DT_INT8: 'int32',
  DT_UINT8: 'int32',
  DT_UINT16: 'int32',
  DT_UINT32: 'int32',
  DT_UINT64: 'int32',
  DT_BOOL: 'bool',
  DT_STRING: 'string',
};

/**
 * TF.js keeps every float as float32 and every integer as int32 whatever the graph declares;
 * the converter follows it, so the ONNX graph computes what TF.js computes.
 */
export function tfDtype(name: string | undefined): TfDtype | undefined {
  return name ? DTYPES[name] : undefined;
}

/** Typed readers for one node's attributes; protobuf JSON leaves default values out. */
export class Attrs {
  constructor(private readonly node: TfNode) {}

  has(name: string): boolean {
    return name in this.node.attr;
  }

  int(name: string, fallback: number): number {
    const v = this.node.attr[name];
    return v?.i !== undefined ? Number(v.i) : fallback;
  }

  float(name: string, fallback: number): number {
    const v = this.node.attr[name];
    return v?.f !== undefined ? Number(v.f) : fallback;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.node.attr[name];
    return v?.b !== undefined ? Boolean(v.b) : fallback;
  }

  string(name: string, fallback: string): string {
    const v = this.node.attr[name];
    return v?.s !== undefined ? decodeBase64(v.s) : fallback;
  }

  ints(name: string): number[] {
    return (this.node.attr[name]?.list?.i ?? []).map(Number);
  }

  floats(name: string): number[] {
    return (this.node.attr[name]?.list?.f ?? []).map(Number);
  }

  strings(name: string): string[] {
    return (this.node.attr[name]?.list?.s ?? []).map(decodeBase64);
  }

  dtype(name: string): TfDtype | undefined {
    return tfDtype(this.node.attr[name]?.type);
  }

  /** A shape attribute; -1 (or a missing size) is an unknown dimension. */
  shape(name: string): (number | null)[] | undefined {
    const shape = this.node.attr[name]?.shape;
    if (!shape || shape.unknownRank) return undefined;
    return (shape.dim ?? []).map((d) => {
      const size = Number(d.size ?? -1);
      return size < 0 ? null : size;
    });
  }
}

function decodeBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}
