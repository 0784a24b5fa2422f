import { UserError } from '../errors';
import type { DataType, HostTensor } from '../tensor/tensor';
import { sizeOf } from '../tensor/tensor';
import type { Model } from './ir';
import { createSession } from './session';
import { writeModel } from './write';

export interface ValueShape {
  type: DataType;
  dims: number[];
}

/**
 * Runs the model once with every requested intermediate value exposed as an extra output and
 * returns those values. ONNX's static shape inference cannot see through many exported graphs
 * (Reshape from computed shapes, dynamic Resize), while one real run always knows.
 */
export async function runWithIntermediates(
  model: Model,
  feeds: Record<string, HostTensor>,
  values?: readonly string[],
): Promise<Record<string, HostTensor>> {
  const graph = model.graph;
  const known = new Set([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name)]);
  const wanted = values ?? graph.nodes.flatMap((n) => n.outputs);
  const existing = new Set(graph.outputs.map((o) => o.name));
  const extra = [...new Set(wanted)].filter((v) => v !== '' && !known.has(v) && !existing.has(v));
  const probe = { ...model, graph: { ...graph, outputs: [...graph.outputs, ...extra.map((name) => ({ name }))] } };
  // Optimisation off: fused kernels would be free to drop or rename the values we asked for.
  const session = await createSession(writeModel(probe), { optimization: 'disabled', label: 'shape discovery' });
  try {
    const result = await session.run(feeds);
    for (const name of known) {
      if (feeds[name] && wanted.includes(name)) result[name] = feeds[name];
    }
    return result;
  } finally {
    await session.release();
  }
}

/** Shapes and element types of intermediate values for concrete input shapes. */
export async function discoverShapes(
  model: Model,
  inputShapes: Record<string, readonly number[]>,
  values?: readonly string[],
): Promise<Map<string, ValueShape>> {
  const feeds: Record<string, HostTensor> = {};
  const initializerNames = new Set(model.graph.initializers.keys());
  for (const input of model.graph.inputs) {
    if (initializerNames.has(input.name)) continue;
    const dims = inputShapes[input.name];
    if (!dims) throw new Error(`shape discovery needs a shape for input '${input.name}'`);
    feeds[input.name] = probeTensor(input.type ?? 'float32', dims);
  }
  const result = await runWithIntermediates(model, feeds, values);
  const shapes = new Map<string, ValueShape>();
  for (const [name, t] of Object.entries(result)) shapes.set(name, { type: t.type, dims: [...t.dims] });
  return shapes;
}

/**
 * A tensor to probe a graph with: mid-grey floats (zero images make some normalisation layers
 * divide by zero) and zero integers.
 */
export function probeTensor(type: DataType, dims: readonly number[]): HostTensor {
  const n = sizeOf(dims);
  switch (type) {
    case 'int64':
      return { type, dims, data: new BigInt64Array(n) };
    case 'int32':
      return { type, dims, data: new Int32Array(n) };
    case 'uint8':
    case 'bool':
      return { type, dims, data: new Uint8Array(n) };
    case 'float64':
      return { type, dims, data: new Float64Array(n).fill(0.5) };
    case 'float32':
      return { type, dims, data: new Float32Array(n).fill(0.5) };
    default:
      throw new UserError(`cannot feed a ${type} input when probing the graph`);
  }
}
