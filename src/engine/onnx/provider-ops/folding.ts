import type { Graph } from '../ir';

/** Ops whose output changes from run to run, which onnxruntime never folds. */
const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);

export interface Folding {
  /** Indices of nodes onnxruntime folds into initializers when it loads the graph (they run on no provider). */
  folded: Set<number>;
  /** Values that are constant once loaded: initializers and what the folded nodes produce. */
  constants: Set<string>;
}

/**
 * What onnxruntime's constant folding (a basic optimisation, applied before nodes are assigned
 * to providers) removes: nodes whose inputs are all initializers or folded values. Initializers
 * that are also graph inputs can be fed, so they do not count; nodes that produce a graph
 * output are kept, as onnxruntime keeps them.
 */
export function constantFolding(graph: Graph): Folding {
  const fed = new Set(graph.inputs.map((i) => i.name));
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const constants = new Set([...graph.initializers.keys()].filter((name) => !fed.has(name)));
  const folded = new Set<number>();
  graph.nodes.forEach((node, index) => {
    if (NONDETERMINISTIC.has(node.opType) || node.outputs.some((o) => outputs.has(o))) return;
    const inputs = node.inputs.filter((i) => i !== '');
    if (inputs.length === 0 && node.opType !== 'Constant') return;
    if (!inputs.every((i) => constants.has(i))) return;
    folded.add(index);
    for (const o of node.outputs) if (o !== '') constants.add(o);
  });
  return { folded, constants };
}
