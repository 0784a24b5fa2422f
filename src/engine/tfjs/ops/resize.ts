import { attr, type AttrMap } from '../builder';
import type { OpContext } from '../context';
import type { OpHandler } from './common';

/**
 * TF's resize coordinate conventions as ONNX Resize modes: align_corners maps corner to
 * corner, half_pixel_centers samples at pixel centres (for nearest, TF's own variant), and
 * neither is TF's legacy top-left ("asymmetric") mapping.
 */
function resize(mode: 'linear' | 'nearest'): OpHandler {
  return (ctx: OpContext) => {
    const x = ctx.input(0);
    const known = ctx.knownNumbers(1);
    if (!known || known[0] === null || known[1] === null) return ctx.unsupported('the output size (input 1) must be known at conversion time');
    const size = [known[0], known[1]];
    const alignCorners = ctx.attrs.bool('align_corners', false);
    const halfPixel = ctx.attrs.bool('half_pixel_centers', false);
    const transform = alignCorners ? 'align_corners' : halfPixel ? (mode === 'nearest' ? 'tf_half_pixel_for_nn' : 'half_pixel') : 'asymmetric';
    const shape = [x.shape[0], size[0], size[1], x.shape[3]];
    const out = ctx.output(0, { dtype: x.dtype, shape, layout: 'nchw' });
    const [n, c] = [x.shape[0], x.shape[3]];
    // ONNX wants all four output sizes; take N and C from the input when they are free.
    const sizes =
      n !== null && c !== null
        ? ctx.int64([n, c, size[0], size[1]], 'sizes')
        : ctx.op('Concat', [ctx.op('Slice', [ctx.op('Shape', [ctx.nchw(x)]), ctx.int64([0], 'zero'), ctx.int64([2], 'two')]), ctx.int64(size, 'hw')], { axis: attr.int(0) }, 'sizes');
    const nearest: AttrMap = mode === 'nearest' ? { nearest_mode: attr.string(alignCorners ? 'round_prefer_ceil' : 'floor') } : {};
    ctx.emit('Resize', [ctx.nchw(x), '', '', sizes], out, { mode: attr.string(mode), coordinate_transformation_mode: attr.string(transform), ...nearest });
  };
}

export const resizeOps: Record<string, OpHandler> = {
  ResizeBilinear: resize('linear'),
  ResizeNearestNeighbor: resize('nearest'),
};
