import { attr, type AttrMap } from '../builder';
import type { OpContext } from '../context';
import type { TfDtype } from '../graph';
import { TO_NCHW, transposeData, type ConstData, type Dim, type Layout, type TfValue } from '../values';

export type OpHandler = (ctx: OpContext) => void;

/** NCHW when the result is 4-D and a run-time 4-D input already is NCHW; else TF layout. */
export function elementwiseLayout(values: readonly TfValue[], outRank: number): Layout {
  return outRank === 4 && values.some((v) => !v.constant && v.layout === 'nchw' && v.shape.length === 4) ? 'nchw' : 'tf';
}

/**
 * `v` as an operand of a broadcasting op whose result is in `layout`. In NCHW, a lower-rank
 * operand (a per-channel bias [C]) is padded to 4-D and transposed the same way, so TF's
 * right-aligned broadcasting still pairs the same elements.
 */
export function operand(ctx: OpContext, v: TfValue, layout: Layout): string {
  if (layout === 'tf' || v.shape.length === 0) return ctx.tf(v);
  const rank = v.shape.length;
  if (rank === 4) return ctx.nchw(v);
  if (v.constant) return ctx.constant(constForNchw(v.constant), 'operand');
  const padded = ctx.op('Unsqueeze', [ctx.tf(v), ctx.int64(Array.from({ length: 4 - rank }, (_, i) => i), 'axes')], {}, 'rank4');
  return ctx.op('Transpose', [padded], { perm: attr.ints(TO_NCHW) }, 'operand');
}

function constForNchw(c: ConstData): ConstData {
  const shape = [...new Array<number>(4 - c.shape.length).fill(1), ...c.shape];
  return { dtype: c.dtype, shape: TO_NCHW.map((p) => shape[p]), data: transposeData(c.data, shape, TO_NCHW) };
}

/** Scalar initializer of a TF dtype. */
export function scalar(ctx: OpContext, value: number, dtype: TfDtype, suffix: string): string {
  if (dtype === 'int32') return ctx.constant({ dtype, shape: [], data: Int32Array.of(value) }, suffix);
  return ctx.float([value], suffix, []);
}

/** Axis `axis` of a TF tensor of rank `rank` in the ONNX tensor's layout. */
export function layoutAxis(axis: number, rank: number, layout: Layout): number {
  const a = axis < 0 ? axis + rank : axis;
  return layout === 'nchw' ? [0, 2, 3, 1][a] : a;
}

export interface Activation {
  kind: string;
  /** PRelu slope, as an operand ready for the output's layout. */
  alpha?: string;
  leakyAlpha?: number;
}

/** Writes `act(input)` to `out`; `linear`/undefined copies. */
export function emitActivation(ctx: OpContext, act: Activation | undefined, input: string, out: string): void {
  const kind = (act?.kind ?? 'linear').toLowerCase();
  switch (kind) {
    case 'linear':
    case '':
      ctx.emit('Identity', [input], out);
      return;
    case 'relu':
      ctx.emit('Relu', [input], out);
      return;
    case 'relu6':
      ctx.emit('Clip', [input, ctx.float([0], 'zero', []), ctx.float([6], 'six', [])], out);
      return;
    case 'elu':
      ctx.emit('Elu', [input], out, { alpha: attr.float(1) });
      return;
    case 'selu':
      ctx.emit('Selu', [input], out);
      return;
    case 'sigmoid':
      ctx.emit('Sigmoid', [input], out);
      return;
    case 'tanh':
      ctx.emit('Tanh', [input], out);
      return;
    case 'leakyrelu':
      ctx.emit('LeakyRelu', [input], out, { alpha: attr.float(act?.leakyAlpha ?? 0.2) });
      return;
    case 'prelu':
      if (!act?.alpha) ctx.unsupported('Prelu activation without alpha');
      ctx.emit('PRelu', [input, act.alpha], out);
      return;
    default:
      ctx.unsupported(`fused activation '${act?.kind}'`);
  }
}

/** Output size of a conv/pool window along one axis (TF's formula). */
export function windowOutput(size: Dim, kernel: number, stride: number, dilation: number, padding: string, padBefore = 0, padAfter = 0): Dim {
  if (size === null) return null;
  const effective = (kernel - 1) * dilation + 1;
  if (padding === 'SAME') return Math.ceil(size / stride);
  if (padding === 'VALID') return Math.floor((size - effective) / stride) + 1;
  return Math.floor((size + padBefore + padAfter - effective) / stride) + 1;
}

/**
 * ONNX pads [top, left, bottom, right] for TF padding, or an auto_pad mode when the input
 * size is unknown (SAME with stride > 1 then depends on it; SAME_UPPER is TF's SAME).
 */
export function spatialPads(
  padding: string,
  size: [Dim, Dim],
  kernel: [number, number],
  stride: [number, number],
  dilation: [number, number],
  explicit: number[] = [],
): { pads: number[] } | { autoPad: string } {
  if (padding === 'VALID') return { pads: [0, 0, 0, 0] };
  if (padding === 'EXPLICIT') return { pads: [explicit[2] ?? 0, explicit[4] ?? 0, explicit[3] ?? 0, explicit[5] ?? 0] };
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < 2; i++) {
    const effective = (kernel[i] - 1) * dilation[i] + 1;
    const n = size[i];
    let total: number;
    if (n === null) {
      if (stride[i] !== 1) return { autoPad: 'SAME_UPPER' };
      total = effective - 1;
    } else {
      total = Math.max((Math.ceil(n / stride[i]) - 1) * stride[i] + effective - n, 0);
    }
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return { pads: [before[0], before[1], after[0], after[1]] };
}

export function padAttrs(p: { pads: number[] } | { autoPad: string }): AttrMap {
  return 'pads' in p ? { pads: attr.ints(p.pads) } : { auto_pad: attr.string(p.autoPad) };
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
