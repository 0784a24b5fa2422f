import { UserError } from '../errors';
import type { TfNode, TfRef } from './graph';

/**
 * The nodes the requested outputs depend on through data edges, in an order where every
 * node comes after its inputs. Control dependencies are ignored: they only order side
 * effects, which a converted inference graph has none of.
 */
export function reachableInOrder(nodes: Map<string, TfNode>, outputs: readonly TfRef[], label: string, stopAt: ReadonlySet<string> = new Set()): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  for (const out of outputs) {
    if (state.get(out.node) === 'done') continue;
    const stack: { node: TfNode; next: number }[] = [{ node: mustGet(nodes, out.node, label), next: 0 }];
    state.set(out.node, 'visiting');
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.node.inputs.length && !stopAt.has(top.node.name)) {
        const ref = top.node.inputs[top.next++];
        const s = state.get(ref.node);
        if (s === 'done') continue;
        // A data cycle only exists through NextIteration back edges of a while loop.
        if (s === 'visiting') continue;
        state.set(ref.node, 'visiting');
        stack.push({ node: mustGet(nodes, ref.node, label), next: 0 });
      } else {
        state.set(top.node.name, 'done');
        order.push(top.node);
        stack.pop();
      }
    }
  }
  return order;
}

function mustGet(nodes: Map<string, TfNode>, name: string, label: string): TfNode {
  const node = nodes.get(name);
  if (!node) throw new UserError(`${label}: the graph refers to a node '${name}' that does not exist`);
  return node;
}

/** How many outputs of each node anything refers to (max index + 1). */
export function outputCounts(order: readonly TfNode[], outputs: readonly TfRef[]): Map<string, number> {
  const counts = new Map<string, number>();
  const note = (ref: TfRef) => counts.set(ref.node, Math.max(counts.get(ref.node) ?? 1, ref.index + 1));
  for (const n of order) n.inputs.forEach(note);
  outputs.forEach(note);
  return counts;
}
