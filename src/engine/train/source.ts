import { existsSync } from 'node:fs';
import { UserError } from '../errors';
import { createModel, type Model } from '../onnx/ir';
import { readModelFile } from '../onnx/read';
import { buildArchitecture, GRAY_INPUT, LOGITS, type Architecture } from './arch';
import { RGB_INPUT } from './export';

/**
 * The grey core network to train: a fresh architecture, or an existing model. A model patchlab
 * exported loses its RGB-to-grey front (the export puts it back); any other model must take one
 * grey channel and give logits as its first output.
 */
export function sourceNetwork(options: { arch?: Architecture; from?: string; classes: number; size: number; seed: number }): Model {
  if (options.arch) return buildArchitecture(options.arch, { classes: options.classes, size: options.size, seed: options.seed });
  const file = options.from!;
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  const model = readModelFile(file);
  const g = model.graph;
  const front = g.nodes.find((n) => n.inputs[0] === RGB_INPUT && n.outputs[0] === GRAY_INPUT);
  const input = g.inputs.find((i) => !g.initializers.has(i.name));
  if (!input) throw new UserError(`${file}: the model has no input`);
  const channels = input.shape?.[1];
  if (!front && channels !== 1) throw new UserError(`${file}: input '${input.name}' has ${String(channels)} channels; --from takes a grey (1-channel) classifier or a model patchlab train exported`);
  const size = input.shape?.[2];
  if (size !== options.size) throw new UserError(`${file}: input is ${String(size)} pixels high; the data is ${options.size}x${options.size}`);
  const output = g.outputs[0].name;
  const nodes = g.nodes
    .filter((n) => n !== front)
    .map((n) => ({ ...n, inputs: n.inputs.map((x) => (x === input.name ? GRAY_INPUT : x === output ? LOGITS : x)), outputs: n.outputs.map((o) => (o === output ? LOGITS : o)) }));
  const graph = { ...g, nodes, inputs: [{ name: GRAY_INPUT, type: 'float32' as const, shape: ['batch', 1, options.size, options.size] }], outputs: [{ name: LOGITS, type: 'float32' as const, shape: ['batch', options.classes] }] };
  return { ...createModel(graph, 17), ...model, graph };
}
