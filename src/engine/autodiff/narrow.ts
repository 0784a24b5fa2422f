import type { Graph, Node, Tensor } from '../onnx/ir';
import { attrInt, attrInts } from '../onnx/ir';
import { makeTensor, tensorArray } from '../onnx/tensor-data';
import type { LossSpec } from './oracle';

/** Shape-preserving one-input ops a channel slice passes through unchanged (Clip's bounds are scalars). */
const ELEMENTWISE = new Set(['Identity', 'Sigmoid', 'Relu', 'Tanh', 'Clip', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Softplus', 'Exp', 'Neg', 'Elu', 'Selu']);

/**
 * A loss that reads a few channels of an output computed by a dense Conv (through elementwise
 * ops and transposes) needs only those rows of the Conv's weights. Rewrites the graph so the
 * output holds just those channels and returns the loss re-indexed to them; returns the loss
 * unchanged when the output is returned to the caller, read elsewhere, or not made that way.
 *
 * centernet's hide loss reads 1 of 80 heatmap classes: the 80-channel conv, its sigmoid and
 * their gradients were ~12% of a forward+backward.
 */
export function narrowLossChannels(graph: Graph, loss: LossSpec, returned: readonly string[]): { graph: Graph; loss: LossSpec } {
  if ((loss.kind !== 'max' && loss.kind !== 'sum' && loss.kind !== 'mean') || !loss.channels) return { graph, loss };
  if ((loss.kind === 'sum' || loss.kind === 'mean') && loss.masked) return { graph, loss };
  if (returned.includes(loss.output)) return { graph, loss };
  const [start, end] = loss.channels;
  const producers = new Map<string, Node>();
  const consumers = new Map<string, number>();
  for (const n of graph.nodes) {
    for (const o of n.outputs) producers.set(o, n);
    for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  }
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  // Walk from the output back to the Conv, tracking which axis of each value holds the channels.
  let value = loss.output;
  let axis = loss.axis ?? 1;
  for (;;) {
    const node = producers.get(value);
    if (!node) return { graph, loss };
    // The loss's own output may be a graph output but nothing else may read it; values further
    // back must feed only the next node on the path (a narrowed value read elsewhere would be wrong).
    const readers = consumers.get(value) ?? 0;
    if (value === loss.output ? readers !== 0 : graphOutputs.has(value) || returned.includes(value) || readers !== 1) return { graph, loss };
    if (node.opType === 'Conv') {
      const narrowed = narrowConv(graph, node, axis, start, end);
      if (!narrowed) return { graph, loss };
      const nodes = graph.nodes.map((n) => (n === node ? narrowed.node : n));
      const initializers = new Map(graph.initializers);
      for (const t of narrowed.tensors) initializers.set(t.name, t);
      return { graph: { ...graph, nodes, initializers }, loss: { ...loss, channels: [0, end - start] } };
    }
    if (node.opType === 'Transpose') {
      const perm = attrInts(node, 'perm');
      if (!perm) return { graph, loss };
      const a = axis < 0 ? axis + perm.length : axis;
      axis = perm[a];
    } else if (!ELEMENTWISE.has(node.opType) || node.inputs.slice(1).some((x) => x !== '' && !graph.initializers.has(x))) {
      return { graph, loss };
    }
    value = node.inputs[0];
  }
}

/** The Conv with only output channels [start, end), when its weights and bias are constants. */
function narrowConv(graph: Graph, node: Node, axis: number, start: number, end: number): { node: Node; tensors: Tensor[] } | undefined {
  const weights = graph.initializers.get(node.inputs[1]);
  if (!weights || weights.type !== 'float32' || attrInt(node, 'group', 1) !== 1) return undefined;
  const rank = weights.dims.length;
  if ((axis < 0 ? axis + rank : axis) !== 1) return undefined;
  const bias = node.inputs[2] ? graph.initializers.get(node.inputs[2]) : undefined;
  if (node.inputs[2] && !bias) return undefined;
  const rows = (t: Tensor, suffix: string): Tensor => {
    const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
    const data = (tensorArray(t) as Float32Array).slice(start * per, end * per);
    return makeTensor(`${t.name}::channels_${start}_${end}${suffix}`, 'float32', [end - start, ...t.dims.slice(1)], data);
  };
  const w = rows(weights, '');
  const b = bias ? rows(bias, '') : undefined;
  const inputs = [node.inputs[0], w.name, ...(b ? [b.name] : [])];
  return { node: { ...node, inputs }, tensors: b ? [w, b] : [w] };
}
