import { attr } from '../builder';
import type { Dim } from '../values';
import type { OpHandler } from './common';

/** TF.js runs DepthToSpace but not SpaceToDepth, so only the former appears in its models. */
const depthToSpace: OpHandler = (ctx) => {
  const x = ctx.input(0);
  const format = ctx.attrs.string('data_format', 'NHWC');
  if (format !== 'NHWC') ctx.unsupported(`data_format ${format}`);
  const b = ctx.attrs.int('block_size', 2);
  const scaled = (d: Dim, f: number) => (d === null ? null : d * f);
  const [n, h, w, c] = x.shape;
  const out = ctx.output(0, { dtype: x.dtype, shape: [n, scaled(h, b), scaled(w, b), scaled(c, 1 / (b * b))], layout: 'nchw' });
  // TF's NHWC depth order (row, column, channel) is ONNX's DCR mode in NCHW.
  ctx.emit('DepthToSpace', [ctx.nchw(x)], out, { blocksize: attr.int(b), mode: attr.string('DCR') });
};

/**
 * SpaceToBatchND / BatchToSpaceND (how TF writes dilated convolutions) as Pad, Reshape and
 * Transpose, in TF layout: the convolution between them runs on the batch-folded tensor
 * exactly as in TF.
 */
const spaceToBatch: OpHandler = (ctx) => {
  const x = ctx.input(0);
  const block = ctx.constNumbers(1, 'the block shape');
  const paddings = ctx.constNumbers(2, 'the paddings');
  const [n, h, w, c] = x.shape;
  if (block.length !== 2 || x.shape.length !== 4 || h === null || w === null || c === null) return ctx.unsupported('only 2-D blocks over [N,H,W,C] inputs of known size');
  const [bh, bw] = block;
  const hp = h + paddings[0] + paddings[1];
  const wp = w + paddings[2] + paddings[3];
  const batch = n === null ? null : n * bh * bw;
  const out = ctx.output(0, { dtype: x.dtype, shape: [batch, hp / bh, wp / bw, c], layout: 'tf' });
  const padded = ctx.op('Pad', [ctx.tf(x), ctx.int64([0, paddings[0], paddings[2], 0, 0, paddings[1], paddings[3], 0], 'pads')]);
  const split = ctx.op('Reshape', [padded, ctx.int64([0, hp / bh, bh, wp / bw, bw, c], 'split_shape')]);
  const moved = ctx.op('Transpose', [split], { perm: attr.ints([2, 4, 0, 1, 3, 5]) });
  ctx.emit('Reshape', [moved, ctx.int64([-1, hp / bh, wp / bw, c], 'shape')], out);
};

const batchToSpace: OpHandler = (ctx) => {
  const x = ctx.input(0);
  const block = ctx.constNumbers(1, 'the block shape');
  const crops = ctx.constNumbers(2, 'the crops');
  const [b, h, w, c] = x.shape;
  if (block.length !== 2 || x.shape.length !== 4 || h === null || w === null || c === null) return ctx.unsupported('only 2-D blocks over [N,H,W,C] inputs of known size');
  const [bh, bw] = block;
  const shape: Dim[] = [b === null ? null : b / (bh * bw), h * bh - crops[0] - crops[1], w * bw - crops[2] - crops[3], c];
  const out = ctx.output(0, { dtype: x.dtype, shape, layout: 'tf' });
  const split = ctx.op('Reshape', [ctx.tf(x), ctx.int64([bh, bw, -1, h, w, c], 'split_shape')]);
  const moved = ctx.op('Transpose', [split], { perm: attr.ints([2, 3, 0, 4, 1, 5]) });
  const merged = ctx.op('Reshape', [moved, ctx.int64([-1, h * bh, w * bw, c], 'merged_shape')]);
  const starts = ctx.int64([crops[0], crops[2]], 'starts');
  const ends = ctx.int64([h * bh - crops[1], w * bw - crops[3]], 'ends');
  ctx.emit('Slice', [merged, starts, ends, ctx.int64([1, 2], 'axes')], out);
};

export const spaceOps: Record<string, OpHandler> = {
  DepthToSpace: depthToSpace,
  SpaceToBatchND: spaceToBatch,
  BatchToSpaceND: batchToSpace,
};
