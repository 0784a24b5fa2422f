import { fuseHardActivations } from './fuse-hard-activations';
import type { Model, ValueInfo } from '../onnx/ir';
import { createModel } from '../onnx/ir';
import { UserError } from '../errors';
import { decodeTfjsWeights, parseNodes, readTfjsModel, type DecodedWeight, type TfjsArtifacts } from './artifacts';
import { OnnxBuilder } from './builder';
import { OpContext, UnsupportedNode, ValueTable } from './context';
import { foldNode } from './fold';
import { parseRef, refName, type TfNode, type TfNodeJson, type TfRef } from './graph';
import { addCutInput, addPlaceholder, type InputOptions } from './inputs';
import { HANDLERS } from './ops/index';
import { outputCounts, reachableInOrder } from './order';
import { partialOutput } from './partial';
import type { ConstData, Dim, TfValue } from './values';

export const CONVERTER_VERSION = '2';

export interface ConvertOptions extends InputOptions {
  /** TF tensor names (`node` or `node:1`) to cut the graph at; default: the signature outputs, else the sinks. */
  outputs?: string[];
  progress?: (message: string) => void;
}

export interface ConversionReport {
  inputs: { name: string; dtype: string; shape: Dim[] }[];
  outputs: { name: string; dtype: string; shape: Dim[] }[];
  /** TF op types converted (after constant folding), with counts. */
  tfOps: Record<string, number>;
  /** Nodes TF.js itself evaluated at conversion time because all their inputs were constant. */
  folded: number;
  onnxOps: Record<string, number>;
  onnxNodes: number;
  parameters: number;
}

export interface ConversionResult {
  model: Model;
  report: ConversionReport;
}

/** Ops that are never evaluated at conversion time even when their inputs are constant. */
const NEVER_FOLD = new Set(['Const', 'Placeholder', 'PlaceholderWithDefault', 'RandomUniform', 'RandomStandardNormal', 'Multinomial', 'NoOp']);
const CONTROL_FLOW = /^(Switch|Merge|Enter|Exit|NextIteration|LoopCond|TensorList|TensorArray|StatelessWhile|While|StatelessIf|If|NonMaxSuppression|HashTable|LookupTable)/;

export async function convertTfjsFile(path: string, options: ConvertOptions = {}): Promise<ConversionResult> {
  return convertTfjs(readTfjsModel(path), options);
}

/** Converts a TF.js graph model to an ONNX model (opset 17) computing what TF.js computes. */
export async function convertTfjs(artifacts: TfjsArtifacts, options: ConvertOptions = {}): Promise<ConversionResult> {
  const label = artifacts.label;
  if (options.freeBatch && options.batch !== undefined) throw new UserError(`${label}: --batch fixes the batch dimension and --free-batch frees it; give one`);
  const nodes = parseNodes(artifacts);
  const byName = new Map<string, TfNode>(nodes.map((n) => [n.name, n]));
  const jsonByName = new Map<string, TfNodeJson>(artifacts.nodes.map((n) => [n.name, n]));
  const outputs = pickOutputs(artifacts, nodes, byName, options.outputs);
  const cuts = new Map((options.inputs ?? []).map((c) => [c.name.replace(/:0$/, ''), c]));
  for (const name of cuts.keys()) {
    const ref = parseRef(name);
    if (!byName.has(ref.node)) throw new UserError(`${label}: no node named '${ref.node}' to use as an input${nearNames(ref.node, byName)}`);
  }
  const order = reachableInOrder(byName, outputs, label, new Set([...cuts.keys()].map((n) => parseRef(n).node)));
  const counts = outputCounts(order, outputs);
  options.progress?.(`decoding weights of ${label}`);
  const weights = await decodeTfjsWeights(artifacts);

  const builder = new OnnxBuilder();
  const table = new ValueTable(builder);
  const poisoned = new Set<string>();
  const unsupported = new Map<string, { count: number; example: string; reason?: string }>();
  const tfOps = new Map<string, number>();
  let folded = 0;

  options.progress?.(`converting ${order.length} nodes`);
  for (const node of order) {
    const count = counts.get(node.name) ?? 1;
    const poison = () => {
      for (let k = 0; k < count; k++) poisoned.add(k === 0 ? node.name : `${node.name}:${k}`);
    };
    const reject = (reason?: string) => {
      const key = node.op;
      const entry = unsupported.get(key) ?? { count: 0, example: node.name, reason };
      entry.count++;
      unsupported.set(key, entry);
      poison();
    };
    const cutHere = [...cuts.values()].filter((c) => parseRef(c.name).node === node.name);
    if (cutHere.length > 0) {
      for (const cut of cutHere) addCutInput({ ...cut, name: cut.name.replace(/:0$/, '') }, builder, table, options);
      continue;
    }
    if (node.op === 'Const') {
      const c = constFromWeight(node, weights.get(node.name), label);
      table.set({ ref: node.name, dtype: c.dtype, shape: c.shape, layout: 'tf', constant: c });
      continue;
    }
    if (node.op === 'Placeholder' || (node.op === 'PlaceholderWithDefault' && node.inputs.length === 0)) {
      addPlaceholder(node, artifacts.signature, builder, table, options);
      continue;
    }
    // A missing input is the back edge of a while loop: control flow, never convertible.
    if (node.inputs.some((r) => poisoned.has(refName(r)) || !table.get(refName(r)))) {
      if (!HANDLERS[node.op]) reject();
      else poison();
      continue;
    }
    const inputs = node.inputs.map((r) => table.get(refName(r)));
    if (!NEVER_FOLD.has(node.op) && inputs.every((v) => v?.constant)) {
      const values = await foldNode(node, jsonByName.get(node.name) as TfNodeJson, inputs.map((v) => v?.constant as ConstData), count);
      if (values) {
        values.forEach((c, k) => table.set({ ref: k === 0 ? node.name : `${node.name}:${k}`, dtype: c.dtype, shape: c.shape, layout: 'tf', constant: c }));
        folded++;
        continue;
      }
    }
    const handler = HANDLERS[node.op];
    if (!handler) {
      reject();
      continue;
    }
    try {
      handler(new OpContext(node, table, builder));
      trackPartial(node, inputs as TfValue[], table);
    } catch (error) {
      if (error instanceof UnsupportedNode) {
        reject(`${node.name}: ${error.message}`);
        continue;
      }
      throw new Error(`${label}: converting ${node.op} node '${node.name}' failed: ${(error as Error).message}`, { cause: error });
    }
    tfOps.set(node.op, (tfOps.get(node.op) ?? 0) + 1);
  }

  if (unsupported.size > 0) throw unsupportedError(label, unsupported, order, poisoned, (ref) => Boolean(table.get(ref)?.constant));

  for (const out of outputs) addGraphOutput(builder, table, refName(out));
  fuseHardActivations(builder.graph);
  builder.pruneUnused();
  const model = createModel(builder.graph, 17);
  model.producerName = 'patchlab tfjs converter';
  model.producerVersion = CONVERTER_VERSION;
  model.metadata = { source: label, ...(artifacts.format ? { format: artifacts.format } : {}) };
  return { model, report: makeReport(model, tfOps, folded) };
}

/** Records the known elements of a run-time int vector; fully known ones become constants. */
function trackPartial(node: TfNode, inputs: TfValue[], table: ValueTable): void {
  const out = table.get(node.name);
  if (!out || out.dtype !== 'int32' || out.shape.length > 1) return;
  const partial = partialOutput(node, inputs);
  if (!partial) return;
  if (partial.every((v) => v !== null)) {
    // Consumers now read the constant; the computed value stays the graph output if asked for.
    table.set({ ...out, constant: { dtype: 'int32', shape: out.shape.length === 0 ? [] : [partial.length], data: Int32Array.from(partial as number[]) } });
  } else {
    table.set({ ...out, partial });
  }
}

function pickOutputs(artifacts: TfjsArtifacts, nodes: TfNode[], byName: Map<string, TfNode>, requested?: string[]): TfRef[] {
  if (requested && requested.length > 0) {
    return requested.map((name) => {
      const ref = parseRef(name.trim());
      if (!byName.has(ref.node)) throw new UserError(`${artifacts.label}: no node named '${ref.node}' to use as an output${nearNames(ref.node, byName)}`);
      return { node: ref.node, index: ref.index };
    });
  }
  const signatureOutputs = Object.values(artifacts.signature?.outputs ?? {})
    .map((e) => parseRef(e.name))
    .filter((r) => byName.has(r.node));
  if (signatureOutputs.length > 0) return signatureOutputs.map((r) => ({ node: r.node, index: r.index }));
  const consumed = new Set<string>();
  for (const n of nodes) for (const r of n.inputs) consumed.add(r.node);
  const sinks = nodes.filter((n) => !consumed.has(n.name) && n.op !== 'Const' && n.op !== 'NoOp');
  if (sinks.length === 0) throw new UserError(`${artifacts.label}: the graph has no outputs`);
  return sinks.map((n) => ({ node: n.name, index: 0 }));
}

function nearNames(name: string, byName: Map<string, TfNode>): string {
  const tail = name.split('/').pop() ?? name;
  const near = [...byName.keys()].filter((n) => n.endsWith(tail) || n.includes(name)).slice(0, 5);
  return near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : '';
}

function constFromWeight(node: TfNode, weight: DecodedWeight | undefined, label: string): ConstData {
  if (!weight) throw new UserError(`${label}: constant '${node.name}' has no entry in the weights manifest`);
  if (weight.dtype === 'string') throw new UserError(`${label}: constant '${node.name}' holds strings, which the converter does not support`);
  return { dtype: weight.dtype, shape: weight.shape, data: weight.data as ConstData['data'] };
}

function addGraphOutput(builder: OnnxBuilder, table: ValueTable, ref: string): void {
  const v = table.get(ref);
  if (!v) throw new Error(`output ${ref} was not converted`);
  let name: string;
  if (v.constant && !v.onnx) {
    const source = table.as(v, 'tf');
    name = builder.claim(builder.isTaken(ref) ? `${ref}::out` : ref);
    if (name !== source) builder.node('Identity', [source], [name]);
  } else {
    name = table.as({ ...v, constant: undefined }, 'tf');
  }
  if (builder.graph.outputs.some((o) => o.name === name)) return;
  const info: ValueInfo = { name, type: v.dtype === 'string' ? 'string' : v.dtype, shape: v.shape };
  builder.graph.outputs.push(info);
}

function unsupportedError(
  label: string,
  unsupported: Map<string, { count: number; example: string; reason?: string }>,
  order: TfNode[],
  poisoned: Set<string>,
  isConstant: (ref: string) => boolean,
): UserError {
  const list = [...unsupported.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([op, e]) => (e.reason ? `${op} (${e.reason})` : `${op} x${e.count} (e.g. ${e.example})`));
  const hasControlFlow = [...unsupported.keys()].some((op) => CONTROL_FLOW.test(op));
  // The last convertible values feeding unsupported nodes: natural places to cut the graph.
  const frontier = new Set<string>();
  for (const n of order) {
    if (!poisoned.has(n.name) || !unsupported.has(n.op)) continue;
    for (const r of n.inputs) if (!poisoned.has(refName(r)) && !isConstant(refName(r))) frontier.add(refName(r));
  }
  const cut = [...frontier].slice(0, 6);
  const hint = hasControlFlow ? ' Control flow and non-max suppression are not converted: cut the graph before them with --outputs' : ' Cut the graph before them with --outputs';
  const where = cut.length > 0 ? ` (convertible values feeding them: ${cut.join(', ')}${frontier.size > cut.length ? ', ...' : ''})` : '';
  return new UserError(`${label}: unsupported TF ops: ${list.join('; ')}.${hint}${where}`);
}

function makeReport(model: Model, tfOps: Map<string, number>, folded: number): ConversionReport {
  const g = model.graph;
  const onnxOps: Record<string, number> = {};
  for (const n of g.nodes) onnxOps[n.opType] = (onnxOps[n.opType] ?? 0) + 1;
  let parameters = 0;
  for (const t of g.initializers.values()) parameters += t.dims.reduce((a, b) => a * b, 1);
  const describe = (v: ValueInfo) => ({ name: v.name, dtype: v.type ?? 'unknown', shape: (v.shape ?? []).map((d) => (typeof d === 'number' ? d : null)) });
  return {
    inputs: g.inputs.map(describe),
    outputs: g.outputs.map(describe),
    tfOps: Object.fromEntries([...tfOps.entries()].sort((a, b) => b[1] - a[1])),
    folded,
    onnxOps: Object.fromEntries(Object.entries(onnxOps).sort((a, b) => b[1] - a[1])),
    onnxNodes: g.nodes.length,
    parameters,
  };
}

