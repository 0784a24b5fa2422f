import { writeFileAtomic } from '../fs/atomic';
import type { AttributeValue, Graph, Model, Node, Tensor, ValueInfo } from './ir';
import { modelProtoType } from './proto';
import { dataTypeCode } from './tensor-data';

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs accepts plain objects */

const encoder = new TextEncoder();

/** Encodes the IR as ONNX ModelProto bytes that onnxruntime and other ONNX tools load. */
export function writeModel(model: Model): Uint8Array {
  const message = {
    ir_version: model.irVersion,
    opset_import: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    producer_name: model.producerName,
    producer_version: model.producerVersion,
    domain: model.domain,
    model_version: model.modelVersion,
    doc_string: model.docString,
    metadata_props: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
    graph: graphMessage(model.graph),
    functions: model.functions,
  };
  return modelProtoType().encode(message).finish();
}

/** Writes atomically: a crash leaves the old file or the new one. */
export function writeModelFile(model: Model, path: string): void {
  writeFileAtomic(path, writeModel(model));
}

function graphMessage(g: Graph): any {
  return {
    name: g.name,
    node: g.nodes.map(nodeMessage),
    initializer: [...g.initializers.values()].map(tensorMessage),
    input: g.inputs.map(valueInfoMessage),
    output: g.outputs.map(valueInfoMessage),
    value_info: g.valueInfo.map(valueInfoMessage),
    doc_string: g.docString,
  };
}

function nodeMessage(n: Node): any {
  return {
    name: n.name,
    op_type: n.opType,
    domain: n.domain,
    input: n.inputs,
    output: n.outputs,
    attribute: Object.entries(n.attributes).map(([name, a]) => attributeMessage(name, a)),
    doc_string: n.docString ?? '',
  };
}

function attributeMessage(name: string, a: AttributeValue): any {
  switch (a.type) {
    case 'float':
      return { name, type: 1, f: a.value };
    case 'int':
      return { name, type: 2, i: a.value };
    case 'string':
      return { name, type: 3, s: encoder.encode(a.value) };
    case 'tensor':
      return { name, type: 4, t: tensorMessage(a.value) };
    case 'graph':
      return { name, type: 5, g: graphMessage(a.value) };
    case 'floats':
      return { name, type: 6, floats: a.value };
    case 'ints':
      return { name, type: 7, ints: a.value };
    case 'strings':
      return { name, type: 8, strings: a.value.map((s) => encoder.encode(s)) };
    case 'tensors':
      return { name, type: 9, tensors: a.value.map(tensorMessage) };
    case 'graphs':
      return { name, type: 10, graphs: a.value.map(graphMessage) };
  }
}

function tensorMessage(t: Tensor): any {
  const base = { name: t.name, data_type: dataTypeCode(t.type), dims: t.dims };
  if (t.type === 'string') return { ...base, string_data: t.strings ?? [] };
  return { ...base, raw_data: t.raw };
}

function valueInfoMessage(v: ValueInfo): any {
  if (!v.type && !v.shape) return { name: v.name };
  const tensorType: any = {};
  if (v.type) tensorType.elem_type = dataTypeCode(v.type);
  if (v.shape) {
    tensorType.shape = {
      dim: v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : typeof d === 'string' ? { dim_param: d } : {})),
    };
  }
  return { name: v.name, type: { tensor_type: tensorType } };
}
