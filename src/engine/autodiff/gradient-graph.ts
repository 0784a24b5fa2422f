import { UserError } from '../errors';
import type { PixelEncoding } from '../image/tensorize';
import { emptyGraph, opsetVersion, type Graph, type Model, type Node, type Tensor, type ValueInfo } from '../onnx/ir';
import type { DataType } from '../tensor/tensor';
import { formatShape } from '../tensor/tensor';
import { buildBackward } from './backward';
import { narrowLossChannels } from './narrow';
import { discoverValues, type DiscoveryInput } from './discover';
import { Emitter, namesIn, type FloatType } from './emitter';
import { emitLossHead, lossOutputs, type LossArgNames } from './losses';
import { DEFAULT_LOWERING, type LoweringOptions } from './lowering/options';
import { upgradeOpset } from './opset';
import type { LossSpec } from './oracle';
import { emitPixelEncoding } from './pixel-space';
import type { RuleTable } from './rules/types';
import type { ValueTable } from './values';

export interface GradientGraphOptions {
  /** The model input to differentiate with respect to; its first non-initializer input by default. */
  input?: string;
  /** Batch size the graph is built for (shapes are fixed at build time; onnxruntime plans memory once). */
  batch: number;
  /** The input's full shape at `batch` when its declared shape has symbolic dimensions besides the batch. */
  inputShape?: number[];
  loss: LossSpec;
  /** Model values to return beside the loss and gradient (graph outputs or any intermediate). */
  outputs?: string[];
  /**
   * Fold this preprocessing into the graph: its input becomes pixels (NCHW float32 RGB in [0,1],
   * `pixelSize` [H, W]) and the gradient is with respect to them.
   */
  pixels?: { encoding: PixelEncoding; height: number; width: number };
  /** Seed of the backward pass: d(sum of per-sample losses) (default) or d(their mean). */
  reduction?: 'sum' | 'mean';
  /** The classifier output already holds probabilities (ce uses log p instead of log softmax). */
  probabilities?: boolean;
  lowering?: Partial<LoweringOptions>;
  /**
   * Initializers to turn into graph inputs (fed per call, so one session serves every training
   * step) and, with `weightGradients` (default true), to differentiate with respect to.
   */
  weights?: WeightSelection;
  weightGradients?: boolean;
  /** Replaces the rule table (tests use it to prove a wrong rule is caught). */
  rules?: RuleTable;
  label?: string;
}

export interface GradientGraph {
  model: Model;
  batch: number;
  /** The graph input to feed (pixels or the model input) and its shape. */
  input: string;
  inputShape: number[];
  /** Graph outputs: per-sample loss [N], its mean [], and d(loss)/d(input) shaped like the input. */
  loss: string;
  lossMean: string;
  grad: string;
  /** Requested model values, by their own names (also graph outputs). */
  outputs: string[];
  /** Per-call graph inputs of the loss. */
  args: LossArgNames;
  /** Shapes at `batch` of the requested outputs and of the outputs the loss reads. */
  shapes: Record<string, number[]>;
  /** Other model inputs that must still be fed. */
  extraInputs: ValueInfo[];
  /** The selected weights (now graph inputs to feed), their initial values and gradient outputs. */
  weights: WeightGradient[];
}

/** Which initializers are parameters: every trainable one, or those named or under a name prefix. */
export type WeightSelection = 'all' | { names?: string[]; prefixes?: string[] };

export interface WeightGradient {
  name: string;
  dims: number[];
  /** The initializer's value in the source model. */
  initial: Tensor;
  /** Graph output holding d(loss)/d(weight) (absent when weight gradients were not asked for). */
  grad?: string;
}

/**
 * Builds one ONNX graph computing the model forward pass, a loss head, and the gradient of the
 * loss with respect to the model input (or pixels): the reverse-mode gradient nodes follow the
 * forward nodes in the same graph and read their activations.
 */
export async function buildGradientGraph(source: Model, options: GradientGraphOptions): Promise<GradientGraph> {
  const label = options.label ?? 'model';
  const batch = options.batch;
  const upgraded = upgradeOpset(source, label);
  const { graph, loss } = narrowLossChannels(upgraded.graph, options.loss, options.outputs ?? []);
  const model = { ...upgraded, graph };
  const realInputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  const modelInput = realInputs.find((i) => i.name === (options.input ?? realInputs[0]?.name));
  if (!modelInput) throw new UserError(`${label}: the model has no input named '${options.input}' (inputs: ${realInputs.map((i) => i.name).join(', ')})`);
  const declared = modelInput.shape ?? [];
  const batchFree = typeof declared[0] !== 'number';
  if (!batchFree && declared[0] !== batch) throw new UserError(`${label}: input '${modelInput.name}' has a fixed batch of ${declared[0]}, not ${batch}`);
  const modelShapeAt = options.pixels && !options.inputShape ? pixelModelShape(options.pixels) : shapeFunction(modelInput, options.inputShape, label);
  const modelType = floatTypeOf(modelInput, label);
  const opset = opsetVersion(model);

  const taken = namesIn(graph);
  const prefixEmit = new Emitter(opset, taken, 'pixels');
  let input = modelInput.name;
  let inputType: DataType = modelType;
  let inputShapeAt = modelShapeAt;
  if (options.pixels) {
    const { encoding, height, width } = options.pixels;
    checkPixelGeometry(declared, encoding, height, width, label);
    input = prefixEmit.fresh('input');
    inputType = 'float32';
    inputShapeAt = (b) => [b, 3, height, width];
    emitPixelEncoding(prefixEmit, input, modelInput.name, encoding, modelType);
  }
  const extraInputs = realInputs.filter((i) => i !== modelInput);
  const discoveryInputs: DiscoveryInput[] = [
    { name: input, type: inputType, dims: inputShapeAt },
    ...extraInputs.map((i) => ({ name: i.name, type: i.type ?? 'float32', dims: shapeFunction(i, undefined, label) })),
  ];
  const params = options.weights ? selectWeights(graph, options.weights, label) : [];
  const paramNames = new Set(params.map((p) => p.name));
  const paramInputs: ValueInfo[] = params.map((p) => ({ name: p.name, type: p.type, shape: p.dims }));
  discoveryInputs.push(...params.map((p) => ({ name: p.name, type: p.type, dims: () => p.dims })));
  const forward: Graph = {
    ...graph,
    nodes: [...prefixEmit.nodes, ...graph.nodes],
    initializers: new Map([...graph.initializers, ...prefixEmit.initializers].filter(([k]) => !paramNames.has(k))),
    // Sized at batch 1 and 2 during discovery, so the batch stays symbolic here.
    inputs: [{ name: input, type: inputType, shape: [batchFree ? 'batch' : batch, ...inputShapeAt(batch).slice(1)] }, ...extraInputs, ...paramInputs],
    valueInfo: [],
  };
  const values = await discoverValues({ ...model, graph: forward }, discoveryInputs, batch, batchFree, label);

  const defaultOutput = graph.outputs[0]?.name;
  const wanted = [...new Set([...(options.outputs ?? []), ...lossOutputs(loss, defaultOutput)])];
  for (const name of wanted) {
    if (!values.has(name)) throw new UserError(`${label}: the model has no value named '${name}' (outputs: ${graph.outputs.map((o) => o.name).join(', ')})`);
  }
  const head = await emitHead({ ...options, loss }, values, taken, opset, defaultOutput, batch, label);

  const emit = new Emitter(opset, taken, 'grad');
  const all: Graph = { ...forward, nodes: [...forward.nodes, ...head.nodes], initializers: new Map([...forward.initializers, ...head.initializers]) };
  const seedValue = 1 / (options.reduction === 'mean' ? batch : 1);
  const lossType = floatTypeOfValue(values, head.loss, label);
  const seed = emit.expand(emit.scalar(seedValue, lossType), [batch]);
  const differentiated = options.weightGradients === false ? [] : params.map((p) => p.name);
  const grads = buildBackward({
    graph: all,
    values,
    wrt: [input, ...differentiated],
    seeds: [{ value: head.loss, grad: seed }],
    emit,
    lowering: { ...DEFAULT_LOWERING, ...options.lowering },
    rules: options.rules,
    label,
  });
  const gradValue = grads.get(input) ?? emit.expand(emit.scalar(0, inputType === 'float64' ? 'float64' : 'float32'), inputShapeAt(batch));
  const out = new Emitter(opset, taken, 'out');
  const grad = out.fresh('grad');
  out.opInto('Identity', [gradValue], [grad]);
  const lossMean = out.reduce('ReduceMean', head.loss, [0], false);
  const weightGrads = new Map<string, string>();
  for (const name of differentiated) {
    const own = out.fresh(`grad_${name}`);
    const g = grads.get(name);
    out.opInto('Identity', [g ?? out.expand(out.scalar(0, 'float32'), params.find((p) => p.name === name)!.dims)], [own]);
    weightGrads.set(name, own);
  }

  const nodes = [...all.nodes, ...emit.nodes, ...out.nodes];
  const outputs: ValueInfo[] = [{ name: head.loss }, { name: lossMean }, { name: grad }, ...(options.outputs ?? []).map((name) => ({ name })), ...[...weightGrads.values()].map((name) => ({ name }))];
  const inputs = [{ name: input, type: inputType, shape: inputShapeAt(batch) }, ...head.inputs, ...extraInputs, ...paramInputs];
  const initializers = new Map([...all.initializers, ...emit.initializers, ...out.initializers]);
  const pruned = prune({ ...emptyGraph(graph.name || 'gradient'), nodes, initializers, inputs, outputs });
  return {
    model: { ...model, producerName: 'patchlab', graph: pruned },
    batch,
    input,
    inputShape: inputShapeAt(batch),
    loss: head.loss,
    lossMean,
    grad,
    outputs: options.outputs ?? [],
    args: head.args,
    shapes: Object.fromEntries(wanted.map((name) => [name, values.shape(name)])),
    extraInputs: extraInputs.filter((i) => pruned.inputs.some((p) => p.name === i.name)),
    weights: params.map((p) => ({ name: p.name, dims: p.dims, initial: p.tensor, grad: weightGrads.get(p.name) })),
  };
}

/**
 * Float initializer slots that are settings or statistics, not parameters: 'all' leaves them
 * constant (BatchNorm running statistics are updated from batch statistics, not by gradients).
 */
const FIXED_SLOTS: Record<string, number[]> = {
  BatchNormalization: [3, 4],
  Clip: [1, 2],
  Resize: [1, 2, 3],
  Pad: [1, 2],
  Pow: [1],
  Range: [0, 1, 2],
  ConstantOfShape: [0],
};

interface Param {
  name: string;
  type: FloatType;
  dims: number[];
  tensor: Tensor;
}

function selectWeights(graph: Graph, selection: WeightSelection, label: string): Param[] {
  const fixed = new Set<string>();
  for (const node of graph.nodes) {
    for (const slot of FIXED_SLOTS[node.opType] ?? []) if (node.inputs[slot]) fixed.add(node.inputs[slot]);
  }
  const wanted = (name: string) =>
    selection === 'all' || (selection.names ?? []).includes(name) || (selection.prefixes ?? []).some((p) => name.startsWith(p));
  if (selection !== 'all') {
    for (const name of selection.names ?? []) {
      if (!graph.initializers.has(name)) throw new UserError(`${label}: no initializer named '${name}' to train`);
    }
  }
  const params: Param[] = [];
  for (const [name, tensor] of graph.initializers) {
    if (!wanted(name) || (selection === 'all' && fixed.has(name))) continue;
    if (tensor.type !== 'float32' && tensor.type !== 'float64') {
      if (selection === 'all') continue;
      throw new UserError(`${label}: initializer '${name}' is ${tensor.type}; only float weights can be trained`);
    }
    params.push({ name, type: tensor.type, dims: [...tensor.dims], tensor });
  }
  if (params.length === 0) throw new UserError(`${label}: no weights match the selection`);
  return params;
}

interface EmittedHead {
  nodes: Node[];
  initializers: Map<string, Tensor>;
  inputs: ValueInfo[];
  loss: string;
  args: LossArgNames;
}

/** Emits the loss head and sizes its values with one small run of the head alone. */
async function emitHead(options: GradientGraphOptions, values: ValueTable, taken: Set<string>, opset: number, defaultOutput: string, batch: number, label: string): Promise<EmittedHead> {
  const emit = new Emitter(opset, taken, 'loss');
  const inputs: ValueInfo[] = [];
  const head = emitLossHead(
    {
      emit,
      batch,
      shapeOf: (name) => values.shape(name),
      floatType: (name) => floatTypeOfValue(values, name, label),
      input: (hint, type, dims) => {
        const name = emit.fresh(hint);
        inputs.push({ name, type, shape: dims });
        return name;
      },
      fail: (reason) => {
        throw new UserError(`${label}: ${options.loss.kind} loss: ${reason}`);
      },
    },
    options.loss,
    defaultOutput,
    options.probabilities,
  );
  if (!emit.nodes.some((n) => n.outputs.includes(head.loss))) {
    // The loss is a model value itself (a per-sample output): give it a name of its own.
    const own = emit.fresh('loss');
    emit.opInto('Identity', [head.loss], [own]);
    head.loss = own;
  }
  const produced = new Set(emit.nodes.flatMap((n) => n.outputs));
  const own = new Set([...produced, ...emit.initializers.keys(), ...inputs.map((i) => i.name)]);
  const fromModel = [...new Set(emit.nodes.flatMap((n) => n.inputs).filter((x) => x !== '' && !own.has(x)))];
  const headGraph: Graph = {
    ...emptyGraph('loss'),
    nodes: emit.nodes,
    initializers: emit.initializers,
    inputs: [...fromModel.map((name) => ({ name, type: values.type(name), shape: values.shape(name) })), ...inputs],
    outputs: [{ name: head.loss }],
  };
  const discovery = headGraph.inputs.map((i) => ({ name: i.name, type: i.type!, dims: () => i.shape as number[] }));
  const headValues = await discoverValues({ ...minimalModel(), graph: headGraph }, discovery, batch, false, label);
  values.merge(headValues);
  return { nodes: emit.nodes, initializers: emit.initializers, inputs, loss: head.loss, args: head.args };
}

function minimalModel(): Omit<Model, 'graph'> {
  return { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'patchlab', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadata: {}, functions: [] };
}

/** Keeps the nodes, initializers and inputs that the outputs need. */
function prune(graph: Graph): Graph {
  const needed = new Set(graph.outputs.map((o) => o.name));
  const kept: Node[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (!node.outputs.some((o) => needed.has(o))) continue;
    kept.push(node);
    for (const x of node.inputs) needed.add(x);
    for (const a of Object.values(node.attributes)) {
      // Subgraphs may read outer values by name.
      if (a.type === 'graph') subgraphInputs(a.value).forEach((x) => needed.add(x));
      if (a.type === 'graphs') a.value.forEach((g) => subgraphInputs(g).forEach((x) => needed.add(x)));
    }
  }
  return {
    ...graph,
    nodes: kept.reverse(),
    initializers: new Map([...graph.initializers].filter(([k]) => needed.has(k))),
    inputs: graph.inputs.filter((i, k) => k === 0 || needed.has(i.name)),
  };
}

function subgraphInputs(g: Graph): string[] {
  return g.nodes.flatMap((n) => n.inputs);
}

function shapeFunction(info: ValueInfo, explicit: number[] | undefined, label: string): (batch: number) => number[] {
  if (explicit) return (b) => [b, ...explicit.slice(1)];
  const shape = info.shape ?? [];
  const rest = shape.slice(1);
  if (shape.length === 0 || rest.some((d) => typeof d !== 'number')) {
    throw new UserError(`${label}: input '${info.name}' has shape ${formatShape(shape)}; give its full shape (e.g. --size)`);
  }
  return (b) => [b, ...(rest as number[])];
}

function floatTypeOf(info: ValueInfo, label: string): FloatType {
  const t = info.type ?? 'float32';
  if (t !== 'float32' && t !== 'float64') throw new UserError(`${label}: input '${info.name}' is ${t}; gradients need a float32 or float64 input`);
  return t;
}

function floatTypeOfValue(values: ValueTable, name: string, label: string): FloatType {
  const t = values.type(name);
  if (t !== 'float32' && t !== 'float64') throw new UserError(`${label}: value '${name}' is ${t}; losses need float32 or float64 outputs`);
  return t;
}

function pixelModelShape(pixels: NonNullable<GradientGraphOptions['pixels']>): (batch: number) => number[] {
  const { encoding, height, width } = pixels;
  return (b) => (encoding.layout === 'NCHW' ? [b, 3, height, width] : [b, height, width, 3]);
}

/** The declared input shape must agree with the pixel geometry wherever it is fixed. */
function checkPixelGeometry(declared: ValueInfo['shape'] & object, enc: PixelEncoding, height: number, width: number, label: string): void {
  const expected = pixelModelShape({ encoding: enc, height, width })(1);
  const ok = declared.length === 4 && declared.every((d, i) => i === 0 || typeof d !== 'number' || d === expected[i]);
  if (!ok) throw new UserError(`${label}: input shape ${formatShape(declared)} is not a ${enc.layout} RGB image of ${width}x${height}`);
}
