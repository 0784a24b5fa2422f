import { attrFloat, attrInt } from '../../onnx/ir';
import { unbroadcast } from './broadcast';
import type { GradContext, RuleTable } from './types';

/** MatMul (numpy semantics: batching, broadcasting, 1-D operands) and Gemm. */

function swapLast(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

function matmul(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const [a, b] = node.inputs;
  const aShape = values.shape(a);
  const bShape = values.shape(b);
  // Promote 1-D operands as numpy does, so every product below is at least 2-D.
  const a2 = aShape.length === 1 ? [1, aShape[0]] : aShape;
  const b2 = bShape.length === 1 ? [bShape[0], 1] : bShape;
  const batch = (s: number[]) => s.slice(0, -2);
  const lead = [batch(a2), batch(b2)].reduce((x, y) => (x.length >= y.length ? x : y));
  const batchShape = lead.map((_, i) => {
    const pick = (s: number[]) => s[i - (lead.length - s.length)] ?? 1;
    return Math.max(pick(batch(a2)), pick(batch(b2)));
  });
  const [m, n] = [a2[a2.length - 2], b2[b2.length - 1]];
  const k = a2[a2.length - 1];
  const g = emit.reshape(ctx.dy[0]!, [...batchShape, m, n]);
  const aIn = aShape.length === 1 ? emit.reshape(a, a2) : a;
  const bIn = bShape.length === 1 ? emit.reshape(b, b2) : b;
  let ga: string | undefined;
  let gb: string | undefined;
  if (ctx.needs(0)) {
    const full = emit.op('MatMul', [g, emit.transpose(bIn, swapLast(b2.length))]);
    ga = emit.reshape(unbroadcast(emit, full, [...batchShape, m, k], a2), aShape);
  }
  if (ctx.needs(1)) {
    const full = emit.op('MatMul', [emit.transpose(aIn, swapLast(a2.length)), g]);
    gb = emit.reshape(unbroadcast(emit, full, [...batchShape, k, n], b2), bShape);
  }
  return [ga, gb];
}

function gemm(ctx: GradContext) {
  const { node, emit, values } = ctx;
  const [a, b, c] = node.inputs;
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const transA = attrInt(node, 'transA', 0);
  const transB = attrInt(node, 'transB', 0);
  const g = ctx.dy[0]!;
  const gemmOf = (x: string, y: string, ta: number, tb: number) =>
    emit.op('Gemm', [x, y], { alpha: { type: 'float', value: alpha }, transA: { type: 'int', value: ta }, transB: { type: 'int', value: tb } });
  // With A' = op(A), B' = op(B): dA' = alpha g B'^T and dB' = alpha A'^T g, transposed back where op transposed.
  const ga = ctx.needs(0) ? (transA ? gemmOf(b, g, transB, 1) : gemmOf(g, b, 0, transB ? 0 : 1)) : undefined;
  const gb = ctx.needs(1) ? (transB ? gemmOf(g, a, 1, transA) : gemmOf(a, g, transA ? 0 : 1, 0)) : undefined;
  let gc: string | undefined;
  if (c && ctx.needs(2)) {
    const scaled = beta === 1 ? g : emit.mul(g, ctx.scalar(beta, g));
    gc = unbroadcast(emit, scaled, values.shape(node.outputs[0]), values.shape(c));
  }
  return [ga, gb, gc];
}

export const matmulRules: RuleTable = {
  MatMul: matmul,
  Gemm: gemm,
};
