import type { Graph, Node } from '../onnx/ir';
import { floatConstant, tensorArray } from '../onnx/tensor-data';

/**
 * TF exports MobileNetV3's hard-swish as x·(1/6)·relu6(x + 3) and its hard-sigmoid as
 * relu6(x + 3)·(1/6): four and three element-wise passes that onnxruntime runs one by one.
 * Rewrites them as HardSwish / HardSigmoid (one pass each; exact, since both ops are defined
 * as x·clip(x/6 + 1/2, 0, 1)). In centernet the unfused chains were ~15% of a forward pass.
 * Float16-quantised exports store 1/6 as 0.16662598: the op is then followed by a Mul by 6·c so
 * the graph still computes exactly what TF.js does. The replaced chains' inner nodes are left
 * for the builder's pruning to drop.
 * Returns how many activations were fused.
 */
export function fuseHardActivations(graph: Graph): number {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const scalar = (name: string): number | undefined => {
    const t = graph.initializers.get(name);
    if (!t || t.type !== 'float32' || t.dims.reduce((a, b) => a * b, 1) !== 1) return undefined;
    return tensorArray(t)[0] as number;
  };
  const near = (v: number | undefined, want: number, tolerance = 1e-6) => v !== undefined && Math.abs(v - want) <= tolerance * Math.max(1, Math.abs(want));
  /** x when `name` is relu6(x + 3) written as Clip(Add(x, 3), 0, 6). */
  const relu6Plus3 = (name: string): string | undefined => {
    const clip = producer.get(name);
    if (clip?.opType !== 'Clip' || !near(scalar(clip.inputs[1] ?? ''), 0) || !near(scalar(clip.inputs[2] ?? ''), 6)) return undefined;
    const add = producer.get(clip.inputs[0]);
    if (add?.opType !== 'Add') return undefined;
    if (near(scalar(add.inputs[1]), 3)) return add.inputs[0];
    if (near(scalar(add.inputs[0]), 3)) return add.inputs[1];
    return undefined;
  };
  /** The operand of Mul `node` other than a constant c within float16 precision of 1/6, and c. */
  const timesSixth = (node: Node | undefined): { x: string; c: number } | undefined => {
    if (node?.opType !== 'Mul') return undefined;
    for (const [x, k] of [node.inputs, [...node.inputs].reverse()]) {
      const c = scalar(k);
      if (c !== undefined && near(c, 1 / 6, 1e-3)) return { x, c };
    }
    return undefined;
  };
  /** `op` on x written to `out`, times 6·c when c is not 1/6 to float32 precision. */
  const replace = (node: Node, op: Node, c: number): Node[] => {
    if (near(6 * c, 1)) return [{ ...op, outputs: node.outputs }];
    const scale = floatConstant(`${node.outputs[0]}::scale`, [], [6 * c]);
    graph.initializers.set(scale.name, scale);
    const inner = `${node.outputs[0]}::unscaled`;
    return [
      { ...op, outputs: [inner] },
      { ...node, name: `${node.name}::scale`, inputs: [inner, scale.name] },
    ];
  };

  let fused = 0;
  graph.nodes = graph.nodes.flatMap((node) => {
    if (node.opType !== 'Mul') return [node];
    // Hard-sigmoid: relu6(x + 3) * c.
    const sixth = timesSixth(node);
    const sigmoidOf = sixth ? relu6Plus3(sixth.x) : undefined;
    if (sixth && sigmoidOf !== undefined) {
      fused++;
      const op: Node = { ...node, opType: 'HardSigmoid', inputs: [sigmoidOf], attributes: { alpha: { type: 'float', value: 1 / 6 }, beta: { type: 'float', value: 0.5 } } };
      return replace(node, op, sixth.c);
    }
    // Hard-swish: (x * c) * relu6(x + 3), either operand order.
    for (const [scaled, gate] of [node.inputs, [...node.inputs].reverse()]) {
      const inner = timesSixth(producer.get(scaled));
      if (inner && relu6Plus3(gate) === inner.x) {
        fused++;
        return replace(node, { ...node, opType: 'HardSwish', inputs: [inner.x], attributes: {} }, inner.c);
      }
    }
    return [node];
  });
  return fused;
}
