import { Emitter, namesIn } from '../autodiff/emitter';
import { attrFloat, type Graph, type Node } from '../onnx/ir';

/** One BatchNormalization rewritten to batch statistics, and where its statistics come out. */
export interface TrainingBatchNorm {
  /** The inference node's running-statistic initializers, updated from the batch after each step. */
  runningMean: string;
  runningVar: string;
  /**
   * Graph values holding this batch's per-channel mean and variance. The variance is the biased
   * one; PyTorch keeps the unbiased one, which differs by 1/(N*H*W - 1) (under 1e-4 here).
   */
  batchMean: string;
  batchVar: string;
}

/**
 * Rewrites every inference BatchNormalization into training mode as plain ops our autodiff
 * differentiates (ReduceMean, Sub, Mul, Div, Sqrt): y = (x - mean_B) / sqrt(var_B + eps) * scale
 * + bias, with the batch statistics as extra values the trainer reads to update the running
 * averages. The graph's other nodes are kept as they are.
 */
export function trainingBatchNorm(graph: Graph, opset: number): { graph: Graph; norms: TrainingBatchNorm[] } {
  const emit = new Emitter(opset, namesIn(graph), 'bn_train');
  const norms: TrainingBatchNorm[] = [];
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    if (node.opType !== 'BatchNormalization') {
      nodes.push(node);
      continue;
    }
    const [x, scale, bias, runningMean, runningVar] = node.inputs;
    const channels = graph.initializers.get(scale)?.dims[0];
    if (channels === undefined) throw new Error(`BatchNormalization '${node.name}': its scale is not an initializer`);
    const eps = attrFloat(node, 'epsilon', 1e-5);
    const start = emit.nodes.length;
    const axes = [0, 2, 3];
    const mean = emit.reduce('ReduceMean', x, axes, true);
    const centred = emit.sub(x, mean);
    const variance = emit.reduce('ReduceMean', emit.mul(centred, centred), axes, true);
    const normed = emit.div(centred, emit.op('Sqrt', [emit.add(variance, emit.scalar(eps))]));
    const shaped = (v: string) => emit.reshape(v, [1, channels, 1, 1]);
    emit.opInto('Add', [emit.mul(normed, shaped(scale)), shaped(bias)], [node.outputs[0]]);
    const batchMean = emit.reshape(mean, [channels]);
    const batchVar = emit.reshape(variance, [channels]);
    nodes.push(...emit.nodes.slice(start));
    norms.push({
      runningMean,
      runningVar,
      batchMean,
      batchVar,
    });
  }
  return { graph: { ...graph, nodes, initializers: new Map([...graph.initializers, ...emit.initializers]) }, norms };
}
