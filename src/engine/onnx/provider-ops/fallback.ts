import type { DataType } from '../../tensor/tensor';
import type { AttributeValue, Model, Node } from '../ir';
import { constantFolding } from './folding';
import type { Accelerator, KernelEntry, KernelTable, NodeCondition } from './table';
import { KERNEL_TABLES, ONNX_SCHEMA_VERSIONS } from './tables';
import { valueTypes } from './value-types';

/** Nodes of one op type that would run on the CPU for one reason. */
export interface FallbackGroup {
  domain: string;
  opType: string;
  count: number;
  reason: string;
}

export interface ProviderFallbacks {
  provider: Accelerator;
  /** The provider option the table assumes, when not the default. */
  variant?: string;
  /** Nodes the provider is asked about: the graph's nodes less those folded away at load. */
  nodes: number;
  /** Nodes onnxruntime folds into initializers before assigning providers. */
  folded: number;
  /** Nodes the provider would leave to the CPU, by op type and reason, most first. */
  fallbacks: FallbackGroup[];
  /** Nodes in domains the table does not list (contrib ops): not known either way. */
  uncovered: FallbackGroup[];
}

const normalDomain = (domain: string) => (domain === 'ai.onnx' ? '' : domain);

/** The model's opset for a domain ('' and ai.onnx are the same). */
export function domainOpset(model: Model, domain: string): number | undefined {
  return model.opsetImports.find((o) => normalDomain(o.domain) === normalDomain(domain))?.version;
}

/** The ai.onnx schema version an opset resolves to for an op (the newest change at or before it), if onnx knows the op. */
export function schemaVersion(domain: string, opType: string, opset: number): number | undefined {
  if (normalDomain(domain) !== '') return undefined;
  return ONNX_SCHEMA_VERSIONS.ops[opType]?.filter((v) => v <= opset).pop();
}

/**
 * Whether a kernel serves a node, by onnxruntime's rule: the kernel starts at the node's schema
 * version, or its closed range covers it (an open-ended kernel matches only its own start).
 * Without a known schema version the model's opset must fall in the kernel's range.
 */
export function kernelMatches(entry: KernelEntry, schema: number | undefined, opset: number): boolean {
  const [, , since, until] = entry;
  if (schema === undefined) return since <= opset && (until === null || until >= opset);
  return since === schema || (since < schema && until !== null && until >= schema);
}

/**
 * The nodes of a model's main graph that `provider` would leave to onnxruntime's CPU provider,
 * by its table of onnxruntime 1.30 kernels: no kernel for the op, none for its schema version,
 * an element type the kernel does not take, or a per-node condition the provider checks.
 */
export function cpuFallbacks(model: Model, provider: Accelerator, table: KernelTable = KERNEL_TABLES[provider]): ProviderFallbacks {
  const graph = model.graph;
  const { folded, constants } = constantFolding(graph);
  const types = valueTypes(graph);
  const fallbacks = new Map<string, FallbackGroup>();
  const uncovered = new Map<string, FallbackGroup>();
  const add = (into: Map<string, FallbackGroup>, node: Node, reason: string) => {
    const domain = normalDomain(node.domain);
    const key = `${domain}\u0000${node.opType}\u0000${reason}`;
    const group = into.get(key) ?? { domain, opType: node.opType, count: 0, reason };
    group.count++;
    into.set(key, group);
  };
  graph.nodes.forEach((node, index) => {
    if (folded.has(index)) return;
    const domain = normalDomain(node.domain);
    if (!table.domains.includes(domain)) return add(uncovered, node, `the ${provider} table does not list the ${domain} domain`);
    const reason = kernelReason(model, node, table, types) ?? conditionReason(node, table.conditions ?? [], constants);
    if (reason) add(fallbacks, node, reason);
  });
  const sorted = (m: Map<string, FallbackGroup>) => [...m.values()].sort((a, b) => b.count - a.count || a.opType.localeCompare(b.opType));
  return { provider, ...(table.variant ? { variant: table.variant } : {}), nodes: graph.nodes.length - folded.size, folded: folded.size, fallbacks: sorted(fallbacks), uncovered: sorted(uncovered) };
}

/** Why no kernel of the table serves the node, or undefined when one does. */
function kernelReason(model: Model, node: Node, table: KernelTable, types: Map<string, DataType>): string | undefined {
  const domain = normalDomain(node.domain);
  const candidates = table.kernels.filter((k) => k[0] === domain && k[1] === node.opType);
  if (candidates.length === 0) return table.kind === 'builder' ? `${table.provider} does not convert ${node.opType}` : `no ${table.provider} kernel`;
  if (table.kind === 'builder') return typeReason(candidates, node, types);
  const opset = domainOpset(model, domain) ?? 1;
  const schema = schemaVersion(domain, node.opType, opset);
  const matching = candidates.filter((k) => kernelMatches(k, schema, opset));
  if (matching.length === 0) {
    const ranges = candidates.map(([, , since, until]) => (until === null ? `${since}` : since === until ? `${since}` : `${since}-${until}`)).join(', ');
    return `no kernel for ${schema === undefined ? `opset ${opset}` : `schema version ${schema} (opset ${opset})`}: registered for ${ranges}`;
  }
  return typeReason(matching, node, types);
}

/** A type-constrained kernel refuses the node's element type (unknown types pass). */
function typeReason(matching: KernelEntry[], node: Node, types: Map<string, DataType>): string | undefined {
  const accepted: DataType[] = [];
  let seen: DataType | undefined;
  for (const [, , , , allowed, input = 0] of matching) {
    const t = node.inputs[input] ? types.get(node.inputs[input]) : undefined;
    if (!allowed || t === undefined || allowed.includes(t)) return undefined;
    seen = t;
    accepted.push(...allowed);
  }
  return `${seen} input not taken (kernel types: ${[...new Set(accepted)].sort().join(', ')})`;
}

/** The first per-node condition the node fails, as its reason. */
function conditionReason(node: Node, conditions: NodeCondition[], constants: Set<string>): string | undefined {
  for (const c of conditions) {
    if (c.op !== node.opType) continue;
    if (!conditionHolds(c, node, constants)) return c.why;
  }
  return undefined;
}

function attributeValue(a: AttributeValue | undefined): unknown {
  return a?.value;
}

function conditionHolds(c: NodeCondition, node: Node, constants: Set<string>): boolean {
  switch (c.rule) {
    case 'symmetric': {
      const v = attributeValue(node.attributes[c.attribute ?? '']);
      if (!Array.isArray(v)) return true;
      const half = v.length / 2;
      return v.slice(0, half).every((x, i) => x === v[half + i]);
    }
    case 'notIn':
    case 'in': {
      const v = attributeValue(node.attributes[c.attribute ?? '']) ?? c.default;
      if (v === undefined) return true;
      const listed = (c.values ?? []).includes(v as string | number);
      return c.rule === 'in' ? listed : !listed;
    }
    case 'constant': {
      const name = node.inputs[c.input ?? 0];
      return name === undefined || name === '' || constants.has(name);
    }
    case 'maxOutputs':
      return node.outputs.filter((o) => o !== '').length <= (c.count ?? 1);
    case 'zeros': {
      const v = attributeValue(node.attributes[c.attribute ?? '']);
      return !Array.isArray(v) || v.every((x) => x === 0);
    }
  }
}
