import type { Dim, Model } from '../onnx/ir';
import { opsetVersion } from '../onnx/ir';
import { sizeOf } from '../tensor/tensor';
import type { LoadedModel } from './loaded';

export interface ModelInfo {
  name: string;
  origin: string;
  task?: string;
  source: string;
  fileBytes: number;
  sha256: string;
  producer: string;
  irVersion: number;
  opset: number;
  inputs: { name: string; type?: string; shape: Dim[] }[];
  outputs: { name: string; type?: string; shape: Dim[] }[];
  nodes: number;
  ops: Record<string, number>;
  parameters: number;
  head: LoadedModel['head'];
  input: { width: number; height: number; layout: string; range: [number, number]; mean: number[]; std: number[]; channelOrder: string };
  labels?: number;
}

/** Op types and their counts, most frequent first, including nodes inside subgraphs. */
export function opHistogram(model: Model): Record<string, number> {
  const counts = new Map<string, number>();
  const visit = (nodes: Model['graph']['nodes']) => {
    for (const n of nodes) {
      const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      for (const a of Object.values(n.attributes)) {
        if (a.type === 'graph') visit(a.value.nodes);
        if (a.type === 'graphs') a.value.forEach((g) => visit(g.nodes));
      }
    }
  };
  visit(model.graph.nodes);
  return Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

export function parameterCount(model: Model): number {
  let n = 0;
  for (const t of model.graph.initializers.values()) n += sizeOf(t.dims);
  return n;
}

export function describeModel(loaded: LoadedModel): ModelInfo {
  const model = loaded.ir();
  const initializers = model.graph.initializers;
  const enc = loaded.encoding;
  return {
    name: loaded.name,
    origin: loaded.entry.origin,
    task: loaded.manifest.task,
    source: loaded.manifest.source.file,
    fileBytes: loaded.bytes.byteLength,
    sha256: loaded.hash,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    irVersion: model.irVersion,
    opset: opsetVersion(model),
    inputs: model.graph.inputs.filter((i) => !initializers.has(i.name)).map((i) => ({ name: i.name, type: i.type, shape: i.shape ?? [] })),
    outputs: model.graph.outputs.map((o) => ({ name: o.name, type: o.type, shape: o.shape ?? [] })),
    nodes: model.graph.nodes.length,
    ops: opHistogram(model),
    parameters: parameterCount(model),
    head: loaded.head,
    input: { width: loaded.width, height: loaded.height, layout: enc.layout, range: enc.range, mean: enc.mean, std: enc.std, channelOrder: enc.channelOrder },
    labels: loaded.labels?.length,
  };
}
