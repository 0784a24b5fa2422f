import type { DataType } from '../../tensor/tensor';
import type { Graph, Node } from '../ir';
import { dataTypeFromCode } from '../tensor-data';

const BOOL_OUT = new Set(['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);
const INT64_OUT = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']);

/**
 * Element types of a graph's values, as far as declarations and a few op rules tell (enough to
 * check a provider's type constraints; a value left out is simply not checked). Nodes are read in
 * order, as ONNX stores them topologically.
 */
export function valueTypes(graph: Graph): Map<string, DataType> {
  const types = new Map<string, DataType>();
  for (const v of [...graph.inputs, ...graph.valueInfo, ...graph.outputs]) if (v.type) types.set(v.name, v.type);
  for (const [name, t] of graph.initializers) types.set(name, t.type);
  for (const node of graph.nodes) {
    node.outputs.forEach((name, i) => {
      if (name === '' || types.has(name)) return;
      const t = outputType(node, i, types);
      if (t) types.set(name, t);
    });
  }
  return types;
}

function outputType(node: Node, index: number, types: Map<string, DataType>): DataType | undefined {
  const input = (i: number) => (node.inputs[i] ? types.get(node.inputs[i]) : undefined);
  const attr = node.attributes;
  if (BOOL_OUT.has(node.opType)) return 'bool';
  if (INT64_OUT.has(node.opType)) return 'int64';
  if ((node.opType === 'MaxPool' || node.opType === 'TopK') && index === 1) return 'int64';
  if (node.opType === 'Cast' && attr.to?.type === 'int') return knownType(attr.to.value);
  if (node.opType === 'Constant') return attr.value?.type === 'tensor' ? attr.value.value.type : undefined;
  if (node.opType === 'ConstantOfShape') return attr.value?.type === 'tensor' ? attr.value.value.type : 'float32';
  if (node.opType === 'Where') return input(1) ?? input(2);
  return node.inputs.map((n) => types.get(n)).find((t) => t !== undefined);
}

/** A type patchlab names, or undefined for the rest (float8, int4...), which then go unchecked. */
function knownType(code: number): DataType | undefined {
  try {
    return dataTypeFromCode(code);
  } catch {
    return undefined;
  }
}
