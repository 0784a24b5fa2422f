import { attrTensor, type Graph, type Node, type Tensor } from '../onnx/ir';
import { floatConstant, int64Constant, intValues, tensorArray } from '../onnx/tensor-data';
import type { DataType } from '../tensor/tensor';

export interface ValueFacts {
  type: DataType;
  dims: number[];
}

const FLOAT_TYPES = new Set<DataType>(['float32', 'float64', 'float16', 'bfloat16']);

export function isFloatType(type: DataType): boolean {
  return FLOAT_TYPES.has(type);
}

/**
 * What the gradient builder knows about every value of a graph at one batch size: element
 * type, concrete shape, and the contents of constants (initializers, Constant nodes and small
 * integer tensors such as shape arithmetic, which are constants once the batch is fixed).
 */
export class ValueTable {
  constructor(
    private readonly facts: Map<string, ValueFacts>,
    private readonly constants: Map<string, Tensor>,
    private readonly integers: Map<string, number[]> = new Map(),
  ) {}

  has(name: string): boolean {
    return this.facts.has(name) || this.constants.has(name);
  }

  shape(name: string): number[] {
    const facts = this.facts.get(name);
    if (facts) return facts.dims;
    const constant = this.constants.get(name);
    if (constant) return constant.dims;
    throw new Error(`no shape known for value '${name}'`);
  }

  type(name: string): DataType {
    const facts = this.facts.get(name);
    if (facts) return facts.type;
    const constant = this.constants.get(name);
    if (constant) return constant.type;
    throw new Error(`no element type known for value '${name}'`);
  }

  rank(name: string): number {
    return this.shape(name).length;
  }

  isFloat(name: string): boolean {
    return this.has(name) && isFloatType(this.type(name));
  }

  /** The constant tensor behind a value, if it is an initializer or a Constant node's output. */
  tensor(name: string): Tensor | undefined {
    return this.constants.get(name);
  }

  /** Integer contents of a constant or batch-fixed shape value, or undefined when not constant. */
  ints(name: string): number[] | undefined {
    if (name === '') return undefined;
    const constant = this.constants.get(name);
    if (constant && constant.type !== 'string' && !isFloatType(constant.type)) return intValues(constant);
    return this.integers.get(name);
  }

  /** Float contents of a constant, or undefined. */
  floats(name: string): number[] | undefined {
    const constant = this.constants.get(name);
    if (!constant || !isFloatType(constant.type) || constant.type === 'float16' || constant.type === 'bfloat16') return undefined;
    return Array.from(tensorArray(constant) as Float32Array | Float64Array);
  }

  set(name: string, facts: ValueFacts): void {
    this.facts.set(name, facts);
  }

  setConstant(tensor: Tensor): void {
    this.constants.set(tensor.name, tensor);
  }

  merge(other: ValueTable): void {
    for (const [k, v] of other.facts) this.facts.set(k, v);
    for (const [k, v] of other.constants) this.constants.set(k, v);
    for (const [k, v] of other.integers) this.integers.set(k, v);
  }
}

/** Initializers and Constant-node outputs of a graph, by value name. */
export function graphConstants(graph: Graph): Map<string, Tensor> {
  const constants = new Map(graph.initializers);
  for (const node of graph.nodes) {
    if (node.opType !== 'Constant' || node.domain !== '') continue;
    const tensor = constantNodeTensor(node);
    if (tensor) constants.set(node.outputs[0], tensor);
  }
  return constants;
}

function constantNodeTensor(node: Node): Tensor | undefined {
  const name = node.outputs[0];
  const value = attrTensor(node, 'value');
  if (value) return { ...value, name };
  const a = node.attributes;
  if (a.value_float?.type === 'float') return floatConstant(name, [], [a.value_float.value]);
  if (a.value_floats?.type === 'floats') return floatConstant(name, [a.value_floats.value.length], a.value_floats.value);
  if (a.value_int?.type === 'int') return int64Constant(name, [], [a.value_int.value]);
  if (a.value_ints?.type === 'ints') return int64Constant(name, [a.value_ints.value.length], a.value_ints.value);
  return undefined;
}
