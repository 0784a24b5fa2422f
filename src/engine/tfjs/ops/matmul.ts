import { attr } from '../builder';
import type { OpContext } from '../context';
import { broadcastShapes, transposeData, type Dim, type TfValue } from '../values';
import { emitActivation, operand, range, type OpHandler } from './common';
import { fusedExtras } from './conv';

/** `v` with its last two axes swapped when `flip`; constants are swapped at conversion time. */
function maybeTransposed(ctx: OpContext, v: TfValue, flip: boolean, suffix: string): { name: string; shape: Dim[] } {
  const rank = v.shape.length;
  if (!flip) return { name: ctx.tf(v), shape: v.shape };
  const perm = [...range(rank - 2), rank - 1, rank - 2];
  const shape = perm.map((p) => v.shape[p]);
  if (v.constant) {
    const c = v.constant;
    return { name: ctx.constant({ ...c, shape: shape as number[], data: transposeData(c.data, c.shape, perm) }, suffix), shape };
  }
  return { name: ctx.op('Transpose', [ctx.tf(v)], { perm: attr.ints(perm) }, suffix), shape };
}

function matmul(flags: [string, string], fused: boolean): OpHandler {
  return (ctx) => {
    const [a, b] = [ctx.input(0), ctx.input(1)];
    const left = maybeTransposed(ctx, a, ctx.attrs.bool(flags[0], false), 'a_t');
    const right = maybeTransposed(ctx, b, ctx.attrs.bool(flags[1], false), 'b_t');
    const batch = broadcastShapes(left.shape.slice(0, -2), right.shape.slice(0, -2));
    const shape = [...batch, left.shape[left.shape.length - 2], right.shape[right.shape.length - 1]];
    const out = ctx.output(0, { dtype: a.dtype, shape, layout: 'tf' });
    const extras = fused ? fusedExtras(ctx, 2) : {};
    if (extras.bias === undefined && !extras.activation) {
      ctx.emit('MatMul', [left.name, right.name], out);
      return;
    }
    let value = ctx.op('MatMul', [left.name, right.name]);
    if (extras.bias !== undefined) value = ctx.op('Add', [value, ctx.tf(ctx.input(extras.bias))], {}, 'biased');
    const alpha = extras.alphaInput !== undefined ? operand(ctx, ctx.input(extras.alphaInput), 'tf') : undefined;
    emitActivation(ctx, extras.activation ? { ...extras.activation, alpha } : undefined, value, out);
  };
}

export const matmulOps: Record<string, OpHandler> = {
  MatMul: matmul(['transpose_a', 'transpose_b'], false),
  _FusedMatMul: matmul(['transpose_a', 'transpose_b'], true),
  BatchMatMul: matmul(['adj_x', 'adj_y'], false),
  BatchMatMulV2: matmul(['adj_x', 'adj_y'], false),
};
