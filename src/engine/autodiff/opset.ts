import { UserError } from '../errors';
import { attrFloat, attrFloats, attrInt, attrInts, attrString, opsetVersion, type AttributeValue, type Graph, type Model, type Node } from '../onnx/ir';
import { floatConstant, int64Constant } from '../onnx/tensor-data';
import { namesIn } from './emitter';

/** The opset gradient graphs are written in: ScatterElements with reduction='add' needs 16. */
export const GRADIENT_OPSET = 17;
const OLDEST = 7;

/**
 * Rewrites a model's default-domain nodes to `GRADIENT_OPSET` where it is older, so the
 * gradient nodes can use current ops in the same graph. Only ops whose signature changed
 * between opset 7 and 17 are touched; the rest mean the same in both.
 */
export function upgradeOpset(model: Model, label: string): Model {
  const version = opsetVersion(model);
  if (version >= GRADIENT_OPSET) return model;
  if (version < OLDEST) throw new UserError(`${label}: opset ${version} is too old for gradients (need ${OLDEST} or newer)`);
  const graph = upgradeGraph(model.graph, version, new Fresh(namesIn(model.graph)));
  return {
    ...model,
    irVersion: Math.max(model.irVersion, 8),
    opsetImports: model.opsetImports.map((o) => (o.domain === '' || o.domain === 'ai.onnx' ? { ...o, version: GRADIENT_OPSET } : o)),
    graph,
  };
}

class Fresh {
  private n = 0;
  constructor(private readonly taken: Set<string>) {}
  name(hint: string): string {
    let name: string;
    do name = `upgrade/${hint}_${this.n++}`;
    while (this.taken.has(name));
    this.taken.add(name);
    return name;
  }
}

function upgradeGraph(graph: Graph, version: number, fresh: Fresh): Graph {
  const initializers = new Map(graph.initializers);
  const nodes: Node[] = [];
  const ints = (values: number[]) => {
    const name = fresh.name('ints');
    initializers.set(name, int64Constant(name, [values.length], values));
    return name;
  };
  const scalar = (value: number) => {
    const name = fresh.name('scalar');
    initializers.set(name, floatConstant(name, [], [value]));
    return name;
  };
  const without = (node: Node, ...keys: string[]) => Object.fromEntries(Object.entries(node.attributes).filter(([k]) => !keys.includes(k)));
  for (const original of graph.nodes) {
    const node = { ...original, attributes: upgradeSubgraphs(original.attributes, version, fresh) };
    if (node.domain !== '' && node.domain !== 'ai.onnx') {
      nodes.push(node);
      continue;
    }
    const op = node.opType;
    if ((op === 'Squeeze' || op === 'Unsqueeze' || op === 'ReduceSum') && version < 13) {
      const axes = attrInts(node, 'axes');
      nodes.push({ ...node, inputs: axes ? [node.inputs[0], ints(axes)] : [node.inputs[0]], attributes: without(node, 'axes') });
    } else if (op === 'Split' && version < 13) {
      const split = attrInts(node, 'split');
      nodes.push({ ...node, inputs: split ? [node.inputs[0], ints(split)] : [node.inputs[0]], attributes: without(node, 'split') });
    } else if ((op === 'Softmax' || op === 'LogSoftmax' || op === 'Hardmax') && version < 13) {
      nodes.push(...coercedSoftmax(node, fresh));
    } else if (op === 'Dropout' && version < 12) {
      nodes.push({ ...node, opType: 'Identity', inputs: [node.inputs[0]], outputs: [node.outputs[0]], attributes: {} });
    } else if (op === 'Clip' && version < 11) {
      const lo = attrFloat(node, 'min');
      const hi = attrFloat(node, 'max');
      nodes.push({ ...node, inputs: [node.inputs[0], lo === undefined ? '' : scalar(lo), hi === undefined ? '' : scalar(hi)], attributes: {} });
    } else if (op === 'Pad' && version < 11) {
      const pads = ints(attrInts(node, 'pads') ?? []);
      nodes.push({ ...node, inputs: [node.inputs[0], pads, scalar(attrFloat(node, 'value', 0))], attributes: { mode: { type: 'string', value: attrString(node, 'mode', 'constant') } } });
    } else if (op === 'Slice' && version < 10) {
      const starts = attrInts(node, 'starts') ?? [];
      const axes = attrInts(node, 'axes') ?? starts.map((_, i) => i);
      nodes.push({ ...node, inputs: [node.inputs[0], ints(starts), ints(attrInts(node, 'ends') ?? []), ints(axes)], attributes: {} });
    } else if (op === 'Upsample' || (op === 'Resize' && version < 11)) {
      nodes.push(upsampleAsResize(node, fresh, initializers));
    } else if (op === 'BatchNormalization' && version < 14) {
      nodes.push({ ...node, outputs: [node.outputs[0]], attributes: without(node, 'spatial', 'momentum', 'consumed_inputs', 'is_test') });
    } else if (op === 'TopK' && version < 10) {
      nodes.push({ ...node, inputs: [node.inputs[0], ints([attrInt(node, 'k', 1)])], attributes: without(node, 'k') });
    } else if (op === 'Scatter') {
      nodes.push({ ...node, opType: 'ScatterElements' });
    } else {
      nodes.push(node);
    }
  }
  return { ...graph, nodes, initializers };
}

function upgradeSubgraphs(attributes: Record<string, AttributeValue>, version: number, fresh: Fresh): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [k, a] of Object.entries(attributes)) {
    if (a.type === 'graph') out[k] = { type: 'graph', value: upgradeGraph(a.value, version, fresh) };
    else if (a.type === 'graphs') out[k] = { type: 'graphs', value: a.value.map((g) => upgradeGraph(g, version, fresh)) };
    else out[k] = a;
  }
  return out;
}

/**
 * Before opset 13 the softmax family flattened the input to 2-D at `axis` (default 1) and
 * normalised each row; from 13 it normalises along one axis. Flatten, normalise the last axis,
 * and reshape back reproduces the old meaning at any rank.
 */
function coercedSoftmax(node: Node, fresh: Fresh): Node[] {
  const axis = attrInt(node, 'axis', 1);
  if (axis === -1) return [node];
  const [x] = node.inputs;
  const flat = fresh.name('flat');
  const shape = fresh.name('shape');
  const normalised = fresh.name('normalised');
  return [
    { name: fresh.name('flatten'), opType: 'Flatten', domain: '', inputs: [x], outputs: [flat], attributes: { axis: { type: 'int', value: axis } } },
    { ...node, inputs: [flat], outputs: [normalised], attributes: { axis: { type: 'int', value: -1 } } },
    { name: fresh.name('shape_of'), opType: 'Shape', domain: '', inputs: [x], outputs: [shape], attributes: {} },
    { name: fresh.name('reshape'), opType: 'Reshape', domain: '', inputs: [normalised, shape], outputs: node.outputs, attributes: {} },
  ];
}

/** Upsample (and Resize-10) scale with asymmetric coordinates; nearest rounds down. */
function upsampleAsResize(node: Node, fresh: Fresh, initializers: Graph['initializers']): Node {
  const mode = attrString(node, 'mode', 'nearest');
  let scales = node.inputs[1];
  const fromAttr = attrFloats(node, 'scales');
  if (fromAttr) {
    scales = fresh.name('scales');
    initializers.set(scales, floatConstant(scales, [fromAttr.length], fromAttr));
  }
  return {
    ...node,
    opType: 'Resize',
    inputs: [node.inputs[0], '', scales],
    attributes: {
      mode: { type: 'string', value: mode === 'bilinear' ? 'linear' : mode },
      coordinate_transformation_mode: { type: 'string', value: 'asymmetric' },
      nearest_mode: { type: 'string', value: 'floor' },
    },
  };
}
