import type { AttributeValue, Graph, Node } from '../onnx/ir';
import { emptyGraph } from '../onnx/ir';
import { int64Constant, makeTensor } from '../onnx/tensor-data';
import type { TfDtype } from './graph';
import type { ConstData } from './values';

export type AttrMap = Record<string, AttributeValue>;

export const attr = {
  int: (value: number): AttributeValue => ({ type: 'int', value }),
  ints: (value: number[]): AttributeValue => ({ type: 'ints', value }),
  float: (value: number): AttributeValue => ({ type: 'float', value }),
  floats: (value: number[]): AttributeValue => ({ type: 'floats', value }),
  string: (value: string): AttributeValue => ({ type: 'string', value }),
};

/** ONNX TensorProto element type codes for Cast's `to`. */
export const ONNX_TYPE: Record<TfDtype | 'int64', number> = { float32: 1, int32: 6, int64: 7, bool: 9, string: 8 };

/** Appends nodes and initializers to an ONNX graph under unique value names. */
export class OnnxBuilder {
  readonly graph: Graph = emptyGraph('tfjs');
  private readonly taken = new Set<string>();

  /** `base` itself when free, else `base#2`, `base#3`, ... ('#' never occurs in TF node names). */
  unique(base: string): string {
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}#${i}`;
    this.taken.add(name);
    return name;
  }

  /** Claims an exact name; the caller guarantees it is unique (TF node names are). */
  claim(name: string): string {
    if (this.taken.has(name)) throw new Error(`ONNX value name '${name}' is used twice`);
    this.taken.add(name);
    return name;
  }

  isTaken(name: string): boolean {
    return this.taken.has(name);
  }

  node(opType: string, inputs: string[], outputs: string[], attributes: AttrMap = {}): Node {
    const node: Node = { name: outputs[0] ?? opType, opType, domain: '', inputs, outputs, attributes };
    this.graph.nodes.push(node);
    return node;
  }

  constant(base: string, c: ConstData): string {
    const name = this.unique(base);
    this.graph.initializers.set(name, makeTensor(name, c.dtype === 'string' ? 'uint8' : c.dtype, c.shape, c.data));
    return name;
  }

  int64(base: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.unique(base);
    this.graph.initializers.set(name, int64Constant(name, dims, values));
    return name;
  }

  float(base: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.unique(base);
    this.graph.initializers.set(name, makeTensor(name, 'float32', dims, Float32Array.from(values)));
    return name;
  }

  /** Drops nodes and initializers nothing reaches from the graph outputs. */
  pruneUnused(): void {
    const graph = this.graph;
    const needed = new Set(graph.outputs.map((o) => o.name));
    const kept: Node[] = [];
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const n = graph.nodes[i];
      if (!n.outputs.some((o) => needed.has(o))) continue;
      kept.push(n);
      for (const input of n.inputs) if (input) needed.add(input);
    }
    graph.nodes = kept.reverse();
    for (const name of [...graph.initializers.keys()]) if (!needed.has(name)) graph.initializers.delete(name);
  }
}
