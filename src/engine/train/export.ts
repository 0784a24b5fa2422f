import { attrFloat, type Graph, type Model, type Node } from '../onnx/ir';
import { floatArray, floatConstant, makeTensor } from '../onnx/tensor-data';
import { createSession } from '../onnx/session';
import { writeModel } from '../onnx/write';
import { GRAY_INPUT, LOGITS } from './arch';
import { makeBatch, type Dataset } from './data';
import { withParameters, type Parameters } from './parameters';

/** The exported model's input: RGB in [0, 1], NCHW; grey = 0.299 R + 0.587 G + 0.114 B inside the graph. */
export const RGB_INPUT = 'image';
export const GRAY_WEIGHTS = [0.299, 0.587, 0.114];

/**
 * Folds every inference BatchNormalization that directly follows a Conv (its only reader) into
 * that Conv's weights and bias: W' = W * s / sqrt(v + eps), b' = (b - m) * s / sqrt(v + eps) + beta.
 */
export function foldBatchNorms(model: Model): Model {
  const graph = model.graph;
  const initializers = new Map(graph.initializers);
  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const x of n.inputs) readers.set(x, (readers.get(x) ?? 0) + 1);
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const dropped = new Set<Node>();
  const replaced = new Map<Node, Node>();
  for (const bn of graph.nodes) {
    if (bn.opType !== 'BatchNormalization') continue;
    const conv = producer.get(bn.inputs[0]);
    if (!conv || conv.opType !== 'Conv' || readers.get(bn.inputs[0]) !== 1 || replaced.has(conv)) continue;
    const [scale, beta, mean, variance] = bn.inputs.slice(1).map((n) => initializers.get(n));
    const weight = initializers.get(conv.inputs[1]);
    if (!scale || !beta || !mean || !variance || !weight) continue;
    const eps = attrFloat(bn, 'epsilon', 1e-5);
    const [s, b, m, v] = [scale, beta, mean, variance].map(floatArray);
    const w = Float32Array.from(floatArray(weight));
    const channels = s.length;
    const per = w.length / channels;
    const oldBias = conv.inputs[2] ? floatArray(initializers.get(conv.inputs[2])!) : new Float32Array(channels);
    const bias = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const k = s[c] / Math.sqrt(v[c] + eps);
      for (let i = 0; i < per; i++) w[c * per + i] *= k;
      bias[c] = (oldBias[c] - m[c]) * k + b[c];
    }
    const wName = `${conv.inputs[1]}_folded`;
    const bName = `${bn.outputs[0]}_bias_folded`;
    initializers.set(wName, makeTensor(wName, 'float32', weight.dims, w));
    initializers.set(bName, floatConstant(bName, [channels], bias));
    replaced.set(conv, { ...conv, inputs: [conv.inputs[0], wName, bName], outputs: [bn.outputs[0]] });
    dropped.add(bn);
  }
  const nodes = graph.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n);
  const used = new Set(nodes.flatMap((n) => n.inputs));
  return { ...model, graph: { ...graph, nodes, initializers: new Map([...initializers].filter(([k]) => used.has(k))) } };
}

/** Puts an RGB-to-grey 1x1 Conv in front of the grey network, so the model takes what every patchlab model takes. */
export function withRgbInput(model: Model, size: number): Model {
  const graph: Graph = model.graph;
  const weight = 'rgb_to_gray.weight';
  const node: Node = { name: 'rgb_to_gray', opType: 'Conv', domain: '', inputs: [RGB_INPUT, weight], outputs: [GRAY_INPUT], attributes: { kernel_shape: { type: 'ints', value: [1, 1] } } };
  return {
    ...model,
    graph: {
      ...graph,
      nodes: [node, ...graph.nodes],
      initializers: new Map([...graph.initializers, [weight, floatConstant(weight, [1, 3, 1, 1], GRAY_WEIGHTS)]]),
      inputs: [{ name: RGB_INPUT, type: 'float32', shape: ['batch', 3, size, size] }],
    },
  };
}

/** The plain inference model of the current parameters: BatchNorm folded, RGB [0, 1] input, `logits` output. */
export function inferenceModel(core: Model, params: Parameters, size: number): Model {
  return withRgbInput(foldBatchNorms(withParameters(core, params)), size);
}

/** Top-1 accuracy of the grey network (inference BatchNorm) on `indices`. */
export async function accuracy(core: Model, params: Parameters, data: Dataset, indices: Uint32Array, threads: number, batch = 500): Promise<number> {
  const session = await createSession(writeModel(foldBatchNorms(withParameters(core, params))), { threads, label: 'evaluation' });
  let correct = 0;
  try {
    for (let start = 0; start < indices.length; start += batch) {
      const idx = indices.subarray(start, Math.min(indices.length, start + batch));
      const out = await session.run({ [GRAY_INPUT]: makeBatch(data, idx, 'none') }, [LOGITS]);
      correct += countCorrect(out[LOGITS].data as Float32Array, params.classes, (b) => data.labels[idx[b]]);
    }
  } finally {
    await session.release();
  }
  return correct / indices.length;
}

export function argmax(row: Float32Array, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (row[offset + j] > row[offset + best]) best = j;
  return best;
}

export function countCorrect(logits: Float32Array, classes: number, label: (b: number) => number): number {
  let correct = 0;
  for (let b = 0; b < logits.length / classes; b++) if (argmax(logits, b * classes, classes) === label(b)) correct++;
  return correct;
}
