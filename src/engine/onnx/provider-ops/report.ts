import type { Model } from '../ir';
import { opsetVersion } from '../ir';
import { cpuFallbacks, type ProviderFallbacks } from './fallback';
import { KERNEL_TABLES, tablesFor } from './tables';
import type { Accelerator } from './table';

export interface GraphOpsReport {
  opset: number;
  nodes: number;
  /** Node count per op type ('domain:Op' outside ai.onnx), most first. */
  ops: Record<string, number>;
  providers: ProviderFallbacks[];
}

export function opHistogram(model: Model): Record<string, number> {
  const counts = new Map<string, number>();
  for (const n of model.graph.nodes) {
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}:${n.opType}` : n.opType;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/** A graph's op types and, for each provider, the nodes it would leave to the CPU. */
export function graphOpsReport(model: Model, providers: readonly Accelerator[]): GraphOpsReport {
  return {
    opset: opsetVersion(model),
    nodes: model.graph.nodes.length,
    ops: opHistogram(model),
    providers: providers.flatMap((p) => tablesFor(p).map((t) => cpuFallbacks(model, p, t))),
  };
}

/** Where each provider's table was read from and what it cannot check, for the report's footer. */
export function tableProvenance(provider: Accelerator): { source: string; notes: string[]; variants: { variant: string; source: string }[] } {
  const table = KERNEL_TABLES[provider];
  const variants = tablesFor(provider).flatMap((t) => (t.variant ? [{ variant: t.variant, source: t.source }] : []));
  return { source: table.source, notes: table.notes ?? [], variants };
}
