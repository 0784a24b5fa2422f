import type { Model } from '../onnx/ir';
import { floatArray } from '../onnx/tensor-data';

/**
 * A network's parameters held in Float32Arrays: the trainable ones (updated by the optimiser)
 * and the BatchNorm running statistics (updated from batch statistics). Every other initializer
 * stays a constant of the graph.
 */
export interface Parameters {
  values: Map<string, Float32Array>;
  dims: Map<string, number[]>;
  trainable: string[];
  running: string[];
  classes: number;
}

export function parametersOf(model: Model, classes: number): Parameters {
  const running = new Set<string>();
  const used = new Set<string>();
  for (const node of model.graph.nodes) {
    node.inputs.forEach((x) => used.add(x));
    if (node.opType === 'BatchNormalization') [3, 4].forEach((k) => running.add(node.inputs[k]));
  }
  const values = new Map<string, Float32Array>();
  const dims = new Map<string, number[]>();
  const trainable: string[] = [];
  for (const [name, t] of model.graph.initializers) {
    if (t.type !== 'float32' || !used.has(name) || t.dims.length === 0) continue;
    values.set(name, Float32Array.from(floatArray(t)));
    dims.set(name, [...t.dims]);
    if (!running.has(name)) trainable.push(name);
  }
  return { values, dims, trainable, running: [...running], classes };
}

/** BatchNorm running averages: r <- (1 - momentum) r + momentum * batch (PyTorch's convention, momentum 0.1). */
export function updateRunning(params: Parameters, stats: Map<string, Float32Array>, momentum: number): void {
  for (const [name, batch] of stats) {
    const r = params.values.get(name)!;
    for (let i = 0; i < r.length; i++) r[i] = (1 - momentum) * r[i] + momentum * batch[i];
  }
}

/** The model with its initializers replaced by the current parameter values. */
export function withParameters(model: Model, params: Parameters): Model {
  const initializers = new Map(model.graph.initializers);
  for (const [name, data] of params.values) {
    const t = initializers.get(name)!;
    initializers.set(name, { ...t, raw: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });
  }
  return { ...model, graph: { ...model.graph, initializers } };
}
