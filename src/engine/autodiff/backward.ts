import { UserError } from '../errors';
import type { Graph, Node } from '../onnx/ir';
import type { Emitter, FloatType } from './emitter';
import type { LoweringOptions } from './lowering/options';
import { GRADIENT_RULES } from './rules';
import { nodeError, type GradContext, type RuleTable } from './rules/types';
import type { ValueTable } from './values';

export interface BackwardSpec {
  /** The forward graph; its nodes stay in the result, so the backward pass reuses their outputs. */
  graph: Graph;
  values: ValueTable;
  /** Values to differentiate with respect to (graph inputs, usually the image). */
  wrt: string[];
  /** Where the backward pass starts: d(loss)/d(value) given as graph values. */
  seeds: { value: string; grad: string }[];
  emit: Emitter;
  lowering: LoweringOptions;
  /** Rule table; the built-in rules by default (tests swap in wrong rules to prove they are caught). */
  rules?: RuleTable;
  /** Names the model in error messages. */
  label: string;
}

/**
 * Reverse-mode differentiation over the ONNX nodes between `wrt` and the seeds. Only nodes on
 * a path from an input to a seed get backward nodes; integer values (shape arithmetic, indices)
 * are constants. Gradients of values used more than once are summed. Returns d(seeds)/d(wrt)
 * (undefined where the seeds do not depend on an input).
 */
export function buildBackward(spec: BackwardSpec): Map<string, string | undefined> {
  const { graph, values, emit } = spec;
  const rules = spec.rules ?? GRADIENT_RULES;
  const nodes = topologicalOrder(graph);
  const reached = forwardReach(nodes, values, spec.wrt);
  const path = nodesOnPath(nodes, reached, new Set(spec.seeds.map((s) => s.value)));
  rejectMissingRules(path, rules, spec.label);

  const pending = new Map<string, string[]>();
  const push = (value: string, grad: string) => {
    const list = pending.get(value);
    if (list) list.push(grad);
    else pending.set(value, [grad]);
  };
  const total = (value: string): string | undefined => {
    const list = pending.get(value);
    if (!list || list.length === 0) return undefined;
    const sum = emit.sum(list);
    pending.set(value, [sum]);
    return sum;
  };
  for (const seed of spec.seeds) push(seed.value, seed.grad);

  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i];
    const dy = node.outputs.map((o) => (o === '' ? undefined : total(o)));
    if (dy.every((g) => g === undefined)) continue;
    const ctx = context(node, dy, reached, spec);
    const grads = rules[node.opType](ctx);
    node.inputs.forEach((input, k) => {
      const g = grads[k];
      if (g !== undefined && ctx.needs(k)) push(input, g);
    });
  }
  return new Map(spec.wrt.map((w) => [w, total(w)]));
}

function context(node: Node, dy: (string | undefined)[], reached: Set<string>, spec: BackwardSpec): GradContext {
  const { values, emit } = spec;
  // Values the backward pass creates are not in the table; they share their node's float type.
  const nodeValue = [...node.outputs, ...node.inputs].find((v) => v !== '' && values.isFloat(v)) ?? node.outputs[0];
  const floatType = (name: string): FloatType => {
    const t = values.type(values.has(name) ? name : nodeValue);
    if (t !== 'float32' && t !== 'float64') throw nodeError(node, spec.label, `gradients of ${t} values are not supported`);
    return t;
  };
  return {
    node,
    emit,
    values,
    dy,
    lowering: spec.lowering,
    needs: (i) => node.inputs[i] !== undefined && node.inputs[i] !== '' && reached.has(node.inputs[i]),
    floatType,
    scalar: (value, like) => emit.scalar(value, floatType(like)),
    fail: (reason) => {
      throw nodeError(node, spec.label, reason);
    },
  };
}

/** Values that depend on `wrt` through float tensors. */
function forwardReach(nodes: Node[], values: ValueTable, wrt: string[]): Set<string> {
  const reached = new Set(wrt);
  for (const node of nodes) {
    if (!node.inputs.some((i) => reached.has(i))) continue;
    for (const o of node.outputs) if (o !== '' && values.isFloat(o)) reached.add(o);
  }
  return reached;
}

/** Nodes whose outputs reach a seed and whose inputs are reached from `wrt`, in forward order. */
function nodesOnPath(nodes: Node[], reached: Set<string>, seeds: Set<string>): Node[] {
  const needed = new Set(seeds);
  const onPath: Node[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (!node.outputs.some((o) => needed.has(o) && reached.has(o))) continue;
    if (!node.inputs.some((x) => reached.has(x))) continue;
    onPath.push(node);
    for (const x of node.inputs) if (reached.has(x)) needed.add(x);
  }
  return onPath.reverse();
}

function rejectMissingRules(path: Node[], rules: RuleTable, label: string): void {
  const missing = new Map<string, string>();
  for (const node of path) {
    const key = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : node.opType;
    const known = (!node.domain || node.domain === 'ai.onnx') && Object.hasOwn(rules, node.opType);
    if (!known && !missing.has(key)) missing.set(key, node.name || node.outputs[0]);
  }
  if (missing.size === 0) return;
  const list = [...missing].map(([op, name]) => `${op} (node '${name}')`).join(', ');
  throw new UserError(`${label}: no gradient rule for ${missing.size === 1 ? 'op' : 'ops'} ${list} on the path from the input to the loss`);
}

/** Nodes in an order where every value is produced before it is used (ONNX requires it; some exporters slip). */
export function topologicalOrder(graph: Graph): Node[] {
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const state = new Uint8Array(graph.nodes.length); // 0 new, 1 on the stack, 2 done
  const ordered: Node[] = [];
  const visit = (start: number) => {
    // Iterative depth-first search: deep graphs must not overflow the call stack.
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const node = graph.nodes[top[0]];
      if (top[1] < node.inputs.length) {
        const p = producer.get(node.inputs[top[1]++]);
        if (p === undefined || state[p] === 2) continue;
        if (state[p] === 1) throw new Error(`graph has a cycle through node '${graph.nodes[p].name}'`);
        state[p] = 1;
        stack.push([p, 0]);
      } else {
        state[top[0]] = 2;
        ordered.push(node);
        stack.pop();
      }
    }
  };
  graph.nodes.forEach((_, i) => state[i] === 0 && visit(i));
  return ordered;
}
