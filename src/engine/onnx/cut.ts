import { UserError } from '../errors';
import { guessDetectorHead } from '../models/decoders/guess';
import type { Dim, Model, Node, ValueInfo } from './ir';
import { discoverShapes } from './shapes';

/** Ops that end a detector export: NMS and what usually follows it (TopK/Gather of the kept boxes). */
const POST_NMS_OPS = new Set(['NonMaxSuppression']);

/**
 * The sub-graph that computes `outputs`: the nodes they depend on, the initializers and inputs
 * those nodes read, and the named tensors as the graph outputs (shapes from `shapes` where known).
 */
export function cutGraph(model: Model, outputs: readonly string[], shapes: ReadonlyMap<string, { dims: Dim[]; type?: ValueInfo['type'] }> = new Map(), label = 'model'): Model {
  const graph = model.graph;
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const inputs = new Set(graph.inputs.map((i) => i.name));
  for (const name of outputs) {
    if (!producer.has(name) && !inputs.has(name)) throw new UserError(`${label}: --outputs: no tensor named '${name}' in the graph`);
  }
  const keep = new Set<number>();
  const stack = [...outputs];
  const used = new Set<string>();
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (used.has(name)) continue;
    used.add(name);
    const p = producer.get(name);
    if (p === undefined || keep.has(p)) continue;
    keep.add(p);
    for (const i of [...graph.nodes[p].inputs, ...subgraphReads(graph.nodes[p])]) if (i !== '') stack.push(i);
  }
  const known = new Map([...graph.valueInfo, ...graph.outputs, ...graph.inputs].map((v) => [v.name, v]));
  const initializers = new Map([...graph.initializers].filter(([name]) => used.has(name)));
  return {
    ...model,
    graph: {
      ...graph,
      nodes: graph.nodes.filter((_, i) => keep.has(i)),
      initializers,
      inputs: graph.inputs.filter((i) => used.has(i.name) || !graph.initializers.has(i.name)).filter((i) => !graph.initializers.has(i.name) || initializers.has(i.name)),
      outputs: outputs.map((name) => {
        const s = shapes.get(name);
        return s ? { name, type: s.type ?? known.get(name)?.type ?? 'float32', shape: s.dims } : (known.get(name) ?? { name, type: 'float32' });
      }),
      valueInfo: graph.valueInfo.filter((v) => used.has(v.name)),
    },
  };
}

/** Names read inside a node's sub-graphs (If/Loop bodies) from the outer scope. */
function subgraphReads(node: Node): string[] {
  const names: string[] = [];
  for (const a of Object.values(node.attributes)) {
    const graphs = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
    for (const g of graphs) for (const n of g.nodes) names.push(...n.inputs);
  }
  return names;
}

export interface NmsCut {
  model: Model;
  /** The tensors the cut graph now ends at. */
  outputs: string[];
  /** One line for the user: what was cut and where. */
  message: string;
}

/**
 * Exports with NMS inside (ultralytics `nms=True`, torchvision detection exports) end in a
 * variable number of kept boxes, which no head can attack. This finds the NonMaxSuppression
 * node and cuts the graph at a tensor that every path to it passes through and whose shape reads
 * as a detector layout: the last [B, 4+C, N] one (ultralytics concatenates the raw box and class
 * maps into an earlier [B, 64+C, N], and transposes the output to [B, N, 4+C] for its NMS), else
 * the last [B, N, 5+C] one. Undefined when the graph has no NMS; a UserError when it has one but
 * no such tensor.
 */
export async function cutBeforeNms(model: Model, inputShapes: Record<string, readonly number[]>, label = 'model'): Promise<NmsCut | undefined> {
  const graph = model.graph;
  const nmsIndex = graph.nodes.findIndex((n) => POST_NMS_OPS.has(n.opType));
  if (nmsIndex < 0) return undefined;
  const nms = graph.nodes[nmsIndex];
  const ancestors = ancestorNodes(model, nmsIndex);
  const candidates = graph.nodes.filter((_, i) => ancestors.has(i)).flatMap((n) => n.outputs);
  const shapes = await discoverShapes(model, inputShapes, candidates);
  const batchDim = graph.inputs.find((i) => !graph.initializers.has(i.name))?.shape?.[0] ?? 1;
  const found: { name: string; dims: Dim[]; decoder: string }[] = [];
  for (const name of candidates) {
    const s = shapes.get(name);
    if (!s || s.type !== 'float32' || s.dims.length !== 3) continue;
    const dims: Dim[] = [batchDim, s.dims[1], s.dims[2]];
    const guess = guessDetectorHead([{ name, shape: dims }]);
    if (guess && dominates(model, name, nmsIndex)) found.push({ name, dims, decoder: guess.head.decoder });
  }
  const pick = found.filter((f) => f.decoder === 'yolo-v8').at(-1) ?? found.at(-1);
  if (pick) {
    const cut = cutGraph(model, [pick.name], new Map([[pick.name, { dims: pick.dims, type: 'float32' }]]), label);
    const message = `${label}: cut before ${nms.opType}${nms.name ? ` '${nms.name}'` : ''}: the model now ends at '${pick.name}' [${pick.dims.join(',')}] (${pick.decoder} layout; --outputs NAME cuts elsewhere)`;
    return { model: cut, outputs: [pick.name], message };
  }
  throw new UserError(`${label}: the graph ends in ${nms.opType}${nms.name ? ` '${nms.name}'` : ''} and no single tensor before it reads as a detector output; cut it with --outputs NAME[,NAME]`);
}

function ancestorNodes(model: Model, index: number): Set<number> {
  const producer = new Map<string, number>();
  model.graph.nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const seen = new Set<number>();
  const stack = [index];
  while (stack.length > 0) {
    const i = stack.pop() as number;
    for (const input of model.graph.nodes[i].inputs) {
      const p = producer.get(input);
      if (p !== undefined && !seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return seen;
}

/** Whether every path from the graph's inputs to node `target` passes through tensor `name`. */
function dominates(model: Model, name: string, target: number): boolean {
  const graph = model.graph;
  const reached = new Set(graph.inputs.filter((i) => !graph.initializers.has(i.name)).map((i) => i.name));
  for (let i = 0; i < graph.nodes.length; i++) {
    const n = graph.nodes[i];
    if (!n.inputs.some((x) => reached.has(x))) continue;
    if (i === target) return false;
    for (const o of n.outputs) if (o !== name) reached.add(o);
  }
  return true;
}

/** Concrete input shapes to probe a graph with: a free batch becomes 1; other free dims cannot be guessed. */
export function probeInputShapes(model: Model, label = 'model'): Record<string, number[]> {
  const graph = model.graph;
  const shapes: Record<string, number[]> = {};
  for (const input of graph.inputs) {
    if (graph.initializers.has(input.name)) continue;
    shapes[input.name] = (input.shape ?? []).map((d, i) => {
      if (typeof d === 'number') return d;
      if (i === 0) return 1;
      throw new UserError(`${label}: input '${input.name}' has a free dimension ${i} (${String(d)}); cut it with --outputs NAME`);
    });
  }
  return shapes;
}

/** Whether a graph holds NMS (its exports end in a variable number of kept boxes). */
export function hasNms(model: Model): boolean {
  return model.graph.nodes.some((n) => POST_NMS_OPS.has(n.opType));
}

/** cutGraph at named tensors, their shapes found by one probe run (the batch dim kept as the input declares it). */
export async function cutAt(model: Model, outputs: readonly string[], label = 'model'): Promise<Model> {
  const shapes = await discoverShapes(model, probeInputShapes(model, label), outputs).catch(() => new Map<string, { type: ValueInfo['type']; dims: number[] }>());
  const batch = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name))?.shape?.[0] ?? 1;
  const withBatch = new Map([...shapes].map(([name, s]) => [name, { type: s.type, dims: s.dims.map((d: number, i: number): Dim => (i === 0 && d === 1 ? batch : d)) }]));
  return cutGraph(model, outputs, withBatch, label);
}
