import { attr, type AttrMap } from '../builder';
import type { OpContext } from '../context';
import { padAttrs, spatialPads, windowOutput, type OpHandler } from './common';

function pool(onnxOp: 'MaxPool' | 'AveragePool'): OpHandler {
  return (ctx: OpContext) => {
    const x = ctx.input(0);
    const format = ctx.attrs.string('data_format', 'NHWC');
    if (format !== 'NHWC') ctx.unsupported(`data_format ${format}`);
    const k = ctx.attrs.ints('ksize');
    const s = ctx.attrs.ints('strides');
    if ((k[0] ?? 1) !== 1 || (k[3] ?? 1) !== 1) ctx.unsupported('pooling over batch or channels');
    const kernel: [number, number] = [k[1], k[2]];
    const strides: [number, number] = [s[1] ?? 1, s[2] ?? 1];
    const padding = ctx.attrs.string('padding', 'VALID');
    const pads = spatialPads(padding, [x.shape[1], x.shape[2]], kernel, strides, [1, 1], ctx.attrs.ints('explicit_paddings'));
    const p = 'pads' in pads ? pads.pads : [0, 0, 0, 0];
    const mode = 'pads' in pads ? 'EXPLICIT' : 'SAME';
    const shape = [x.shape[0], windowOutput(x.shape[1], kernel[0], strides[0], 1, mode, p[0], p[2]), windowOutput(x.shape[2], kernel[1], strides[1], 1, mode, p[1], p[3]), x.shape[3]];
    const out = ctx.output(0, { dtype: x.dtype, shape, layout: 'nchw' });
    // TF averages over the window's valid pixels only, and max-pools ignoring padding.
    const extra: AttrMap = onnxOp === 'AveragePool' ? { count_include_pad: attr.int(0) } : {};
    ctx.emit(onnxOp, [ctx.nchw(x)], out, { kernel_shape: attr.ints(kernel), strides: attr.ints(strides), ...padAttrs(pads), ...extra });
  };
}

export const poolOps: Record<string, OpHandler> = {
  MaxPool: pool('MaxPool'),
  AvgPool: pool('AveragePool'),
};
