import { describe, expect, it } from 'vitest';
import { a, GraphBuilder, ints, randomTensor, tfjsParity, type TestTensor } from '../../helpers/tfjs-graph';

/**
 * Op-by-op parity: small hand-written TF.js graphs run by TF.js itself (CPU backend) and, after
 * conversion, by onnxruntime. Shapes are chosen to hit the awkward cases (odd sizes with
 * stride 2, asymmetric SAME padding, masks, negative strides, layout changes).
 */
const TOLERANCE = 1e-4;

async function expectParity(g: GraphBuilder, feeds: Record<string, TestTensor>): Promise<Record<string, number>> {
  const result = await tfjsParity(g.artifacts(), feeds);
  for (const [name, rel] of Object.entries(result.relative)) expect(rel, `${name} relative difference`).toBeLessThan(TOLERANCE);
  return result.onnxOps;
}

const nhwc = (h: number, w: number, c: number, seed = 1) => randomTensor([1, h, w, c], seed);
const conv = (g: GraphBuilder, name: string, x: string, filter: number[], attrs: Record<string, ReturnType<typeof a.i>> = {}, seed = 7) =>
  g.op(name, 'Conv2D', [x, g.const(`${name}/w`, randomTensor(filter, seed))], { strides: a.ints([1, 1, 1, 1]), padding: a.s('SAME'), data_format: a.s('NHWC'), dilations: a.ints([1, 1, 1, 1]), ...attrs });

describe('TF.js -> ONNX op parity', () => {
  it('Conv2D: SAME with stride 2 on odd sizes, VALID, EXPLICIT and dilation', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 7, 9, 3]);
    conv(g, 'same_s2', x, [3, 3, 3, 4], { strides: a.ints([1, 2, 2, 1]) });
    conv(g, 'same_s2_k4', x, [4, 4, 3, 2], { strides: a.ints([1, 2, 2, 1]) });
    conv(g, 'valid', x, [3, 2, 3, 2], { padding: a.s('VALID') });
    conv(g, 'explicit', x, [3, 3, 3, 2], { padding: a.s('EXPLICIT'), explicit_paddings: a.ints([0, 0, 2, 0, 1, 3, 0, 0]) });
    conv(g, 'dilated', x, [3, 3, 3, 2], { dilations: a.ints([1, 2, 2, 1]) });
    const ops = await expectParity(g, { x: nhwc(7, 9, 3) });
    expect(ops.Conv).toBe(5);
    expect(ops.Transpose).toBe(5);
  });

  it('_FusedConv2D and FusedDepthwiseConv2dNative with bias and each activation', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 6, 6, 3]);
    const fused = (name: string, op: string, filter: number[], acts: string[], extra: string[] = [], attrs = {}) =>
      g.op(name, op, [x, g.const(`${name}/w`, randomTensor(filter, name.length)), g.const(`${name}/b`, randomTensor([filter[3] * (op === '_FusedConv2D' ? 1 : filter[2])], 3)), ...extra], {
        strides: a.ints([1, 1, 1, 1]),
        padding: a.s('SAME'),
        data_format: a.s('NHWC'),
        dilations: a.ints([1, 1, 1, 1]),
        fused_ops: a.strings(['BiasAdd', ...acts]),
        num_args: a.i(1 + extra.length),
        ...attrs,
      });
    fused('relu', '_FusedConv2D', [3, 3, 3, 4], ['Relu']);
    fused('relu6', '_FusedConv2D', [3, 3, 3, 4], ['Relu6']);
    fused('elu', '_FusedConv2D', [1, 1, 3, 4], ['Elu']);
    fused('sigmoid', '_FusedConv2D', [1, 1, 3, 4], ['Sigmoid']);
    fused('leaky', '_FusedConv2D', [3, 3, 3, 4], ['LeakyRelu'], [], { leakyrelu_alpha: a.f(0.1) });
    fused('prelu', '_FusedConv2D', [3, 3, 3, 4], ['Prelu'], [g.const('alpha', randomTensor([4], 5, 0, 0.5))]);
    fused('dw', 'FusedDepthwiseConv2dNative', [3, 3, 3, 2], ['Relu'], [], { strides: a.ints([1, 2, 2, 1]) });
    await expectParity(g, { x: nhwc(6, 6, 3) });
  });

  it('DepthwiseConv2dNative with a channel multiplier, MaxPool and AvgPool with SAME padding', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 7, 7, 3]);
    g.op('dw', 'DepthwiseConv2dNative', [x, g.const('w', randomTensor([3, 3, 3, 2], 4))], { strides: a.ints([1, 2, 2, 1]), padding: a.s('SAME'), data_format: a.s('NHWC'), dilations: a.ints([1, 1, 1, 1]) });
    g.op('max', 'MaxPool', [x], { ksize: a.ints([1, 3, 3, 1]), strides: a.ints([1, 2, 2, 1]), padding: a.s('SAME'), data_format: a.s('NHWC') });
    g.op('avg', 'AvgPool', [x], { ksize: a.ints([1, 3, 3, 1]), strides: a.ints([1, 2, 2, 1]), padding: a.s('SAME'), data_format: a.s('NHWC') });
    await expectParity(g, { x: nhwc(7, 7, 3) });
  });

  it('ResizeBilinear and ResizeNearestNeighbor in all three TF coordinate modes, up and down', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 5, 7, 2]);
    const small = g.op('down', 'AvgPool', [x], { ksize: a.ints([1, 1, 1, 1]), strides: a.ints([1, 1, 1, 1]), padding: a.s('VALID') });
    const modes: [string, boolean, boolean][] = [['legacy', false, false], ['half', false, true], ['corners', true, false]];
    for (const [mode, alignCorners, halfPixel] of modes) {
      for (const [size, tag] of [[[13, 11], 'up'], [[3, 4], 'down']] as const) {
        const sizeName = g.const(`size_${mode}_${tag}`, ints([2], [...size]));
        g.op(`bilinear_${mode}_${tag}`, 'ResizeBilinear', [small, sizeName], { align_corners: a.b(alignCorners), half_pixel_centers: a.b(halfPixel) });
        g.op(`nearest_${mode}_${tag}`, 'ResizeNearestNeighbor', [small, sizeName], { align_corners: a.b(alignCorners), half_pixel_centers: a.b(halfPixel) });
      }
    }
    await expectParity(g, { x: nhwc(5, 7, 2) });
  });

  it('StridedSlice masks (begin, end, shrink, new axis, ellipsis, negative strides) on NCHW and TF-layout values', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 6, 5, 4]);
    const y = conv(g, 'c', x, [1, 1, 4, 4]);
    const slice = (name: string, src: string, b: number[], e: number[], s: number[], masks: Record<string, number>) =>
      g.op(name, 'StridedSlice', [src, g.const(`${name}/b`, ints([b.length], b)), g.const(`${name}/e`, ints([e.length], e)), g.const(`${name}/s`, ints([s.length], s))], {
        Index: a.type('DT_INT32'),
        begin_mask: a.i(masks.begin ?? 0),
        end_mask: a.i(masks.end ?? 0),
        shrink_axis_mask: a.i(masks.shrink ?? 0),
        new_axis_mask: a.i(masks.newAxis ?? 0),
        ellipsis_mask: a.i(masks.ellipsis ?? 0),
      });
    slice('plain', y, [0, 1, 0, 1], [1, 5, 5, 3], [1, 2, 1, 1], { begin: 1, end: 1 });
    slice('reverse', y, [0, -1, 0, 0], [0, 0, 0, 0], [1, -1, 1, 1], { begin: 13, end: 15 });
    slice('shrink', y, [0, 2, 0, 1], [1, 3, 5, 2], [1, 1, 1, 1], { begin: 4, end: 4, shrink: 10 });
    slice('last', y, [0, -1], [0, 0], [1, 1], { begin: 1, end: 1, shrink: 2 });
    slice('ellipsis', y, [0, 1], [0, 3], [1, 1], { ellipsis: 1 });
    slice('new_axis', y, [0, 0, 0], [0, 0, 2], [1, 1, 1], { begin: 3, end: 3, newAxis: 2 });
    slice('step3', x, [0, 0, 4, 0], [1, 6, 0, 4], [1, 3, -2, 1], { begin: 1, end: 9 });
    await expectParity(g, { x: nhwc(6, 5, 4) });
  });

  it('reductions, ArgMax, Softmax and element-wise broadcasting against lower-rank operands', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 4, 5, 3]);
    const v = g.input('v', [5, 3]);
    const y = conv(g, 'c', x, [1, 1, 3, 3]);
    const axes = (name: string, values: number[]) => g.const(name, ints([values.length], values));
    g.op('mean_hw', 'Mean', [y, axes('ax12', [1, 2])], { keep_dims: a.b(false) });
    g.op('sum_c', 'Sum', [y, axes('ax3', [3])], { keep_dims: a.b(true) });
    g.op('max_h', 'Max', [y, axes('ax1', [1])], { keep_dims: a.b(false) });
    g.op('min_neg', 'Min', [y, axes('axm1', [-1])], { keep_dims: a.b(false) });
    g.op('argmax', 'ArgMax', [y, g.const('ax3s', ints([], [3]))], { output_type: a.type('DT_INT32') });
    g.op('softmax', 'Softmax', [y]);
    g.op('bias', 'BiasAdd', [y, g.const('bias', randomTensor([3], 9))], { data_format: a.s('NHWC') });
    g.op('mul_wc', 'Mul', [y, g.const('wc', randomTensor([5, 3], 10))]);
    g.op('add_rt', 'AddV2', [y, v]);
    g.op('sqdiff', 'SquaredDifference', [y, g.const('k', randomTensor([1, 1, 1, 3], 11))]);
    g.op('relu6', 'Minimum', [g.op('r', 'Relu', [y]), g.const('six', { dtype: 'float32', shape: [], values: [0.3] })]);
    g.op('floor', 'Maximum', [y, g.const('neg', { dtype: 'float32', shape: [], values: [-0.2] })]);
    g.op('addn', 'AddN', [y, y, g.op('t', 'Tanh', [y])], { N: a.i(3) });
    const ops = await expectParity(g, { x: nhwc(4, 5, 3), v: randomTensor([5, 3], 3) });
    expect(ops.Clip).toBe(2);
  });

  it('concat, pack, unpack, split, reshape, transpose, squeeze, expand, tile and pads around NCHW values', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 4, 4, 2]);
    const y = conv(g, 'c', x, [3, 3, 2, 3]);
    const axis = (name: string, v: number) => g.const(name, ints([], [v]));
    g.op('concat', 'ConcatV2', [y, g.const('cst', randomTensor([1, 4, 4, 1], 2)), x, axis('ax', -1)], { N: a.i(3), Tidx: a.type('DT_INT32') });
    g.op('concat_w', 'ConcatV2', [y, y, axis('ax2', 2)], { N: a.i(2) });
    g.op('pack', 'Pack', [y, y], { axis: a.i(1), N: a.i(2) });
    g.op('unpack', 'Unpack', [y], { axis: a.i(3), num: a.i(3) });
    g.op('unpack_out', 'AddV2', ['unpack:1', 'unpack:2']);
    g.op('split', 'Split', [axis('sax', 3), y], { num_split: a.i(3) });
    g.op('split_sum', 'AddV2', ['split', 'split:2']);
    g.op('splitv', 'SplitV', [y, g.const('sizes', ints([2], [1, -1])), axis('sax2', 1)], { num_split: a.i(2) });
    g.op('splitv_out', 'Identity', ['splitv:1']);
    g.op('reshape', 'Reshape', [y, g.const('shape', ints([2], [-1, 12]))]);
    g.op('transpose', 'Transpose', [y, g.const('perm', ints([4], [0, 3, 2, 1]))]);
    g.op('squeeze', 'Squeeze', [g.op('m', 'Mean', [y, g.const('ax12', ints([2], [1, 2]))], { keep_dims: a.b(true) })], { squeeze_dims: a.ints([1, 2]) });
    g.op('expand', 'ExpandDims', [y, axis('eax', -1)]);
    g.op('tile', 'Tile', [y, g.const('mult', ints([4], [1, 2, 1, 2]))]);
    g.op('pad', 'Pad', [y, g.const('pads', ints([4, 2], [0, 0, 1, 2, 0, 1, 1, 0]))]);
    g.op('padv2', 'PadV2', [y, g.const('pads2', ints([4, 2], [0, 0, 2, 0, 1, 1, 0, 0])), g.const('cv', { dtype: 'float32', shape: [], values: [-3] })]);
    g.op('mirror', 'MirrorPad', [y, g.const('pads3', ints([4, 2], [0, 0, 1, 1, 2, 1, 0, 0]))], { mode: a.s('REFLECT') });
    g.op('slice', 'Slice', [y, g.const('sb', ints([4], [0, 1, 0, 1])), g.const('ss', ints([4], [-1, 2, -1, 2]))]);
    await expectParity(g, { x: nhwc(4, 4, 2) });
  });

  it('DepthToSpace, a dilated conv written as SpaceToBatchND/BatchToSpaceND, and Conv2DBackpropInput', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 8, 8, 4]);
    g.op('d2s', 'DepthToSpace', [x], { block_size: a.i(2), data_format: a.s('NHWC') });
    const block = g.const('block', ints([2], [2, 2]));
    const stb = g.op('stb', 'SpaceToBatchND', [x, block, g.const('stb_pad', ints([2, 2], [2, 2, 2, 2]))]);
    const inner = conv(g, 'atrous', stb, [3, 3, 4, 3], { padding: a.s('VALID') });
    g.op('bts', 'BatchToSpaceND', [inner, block, g.const('crops', ints([2, 2], [0, 0, 0, 0]))]);
    g.op('deconv', 'Conv2DBackpropInput', [g.const('out_shape', ints([4], [1, 15, 16, 2])), g.const('dw', randomTensor([3, 3, 2, 4], 12)), x], {
      strides: a.ints([1, 2, 2, 1]),
      padding: a.s('SAME'),
      data_format: a.s('NHWC'),
    });
    g.op('deconv_valid', 'Conv2DBackpropInput', [g.const('out_shape2', ints([4], [1, 17, 17, 2])), g.const('dw2', randomTensor([3, 3, 2, 4], 13)), x], {
      strides: a.ints([1, 2, 2, 1]),
      padding: a.s('VALID'),
      data_format: a.s('NHWC'),
    });
    await expectParity(g, { x: nhwc(8, 8, 4) });
  });

  it('FusedBatchNormV3, MatMul variants and _FusedMatMul', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 3, 3, 4]);
    const m = g.input('m', [2, 5]);
    const c = (name: string, n: number, seed: number, lo = -1) => g.const(name, randomTensor([n], seed, lo, 1));
    g.op('bn', 'FusedBatchNormV3', [x, c('scale', 4, 1), c('offset', 4, 2), c('mean', 4, 3), c('var', 4, 4, 0.1)], { epsilon: a.f(0.001), data_format: a.s('NHWC') });
    g.op('mm', 'MatMul', [m, g.const('w', randomTensor([3, 5], 5))], { transpose_b: a.b(true) });
    g.op('mm_ta', 'MatMul', [g.const('wa', randomTensor([2, 3], 6)), m], { transpose_a: a.b(true) });
    g.op('fused', '_FusedMatMul', [m, g.const('w2', randomTensor([5, 3], 7)), c('b2', 3, 8)], { fused_ops: a.strings(['BiasAdd', 'Relu']), num_args: a.i(1) });
    g.op('bmm', 'BatchMatMulV2', [g.op('r', 'Reshape', [m, g.const('rs', ints([3], [2, 1, 5]))]), g.const('w3', randomTensor([2, 4, 5], 9))], { adj_y: a.b(true) });
    await expectParity(g, { x: nhwc(3, 3, 4), m: randomTensor([2, 5], 21) });
  });

  it('integer and comparison ops: FloorDiv/FloorMod on negatives, Cast, Select, TopKV2, GatherV2, GatherNd, Atan2 in every quadrant', async () => {
    const g = new GraphBuilder();
    const k = g.input('k', [6], 'DT_INT32');
    const f = g.input('f', [6]);
    const int = (name: string, op: string, inputs: string[]) => g.op(name, op, inputs, { T: a.type('DT_INT32') });
    const three = g.const('three', ints([], [3]));
    int('fdiv', 'FloorDiv', [k, three]);
    int('fmod', 'FloorMod', [k, three]);
    int('fdiv_neg', 'FloorDiv', [k, g.const('mthree', ints([], [-3]))]);
    g.op('fmod_f', 'FloorMod', [f, g.const('half', { dtype: 'float32', shape: [], values: [0.3] })]);
    g.op('cast', 'Cast', [k], { SrcT: a.type('DT_INT32'), DstT: a.type('DT_FLOAT') });
    g.op('select', 'SelectV2', [g.op('gt', 'Greater', [f, g.const('zero', { dtype: 'float32', shape: [], values: [0] })]), f, g.op('neg', 'Neg', [f])]);
    g.op('topk', 'TopKV2', [f, g.const('kk', ints([], [3]))], { sorted: a.b(true) });
    g.op('topk_idx', 'Cast', ['topk:1'], { SrcT: a.type('DT_INT32'), DstT: a.type('DT_FLOAT') });
    g.op('gather', 'GatherV2', [f, g.const('idx', ints([2, 2], [5, 0, 1, 1])), g.const('gax', ints([], [0]))], { batch_dims: a.i(0) });
    g.op('atan2', 'Atan2', [f, g.input('x', [6])]);
    g.op('gathernd', 'GatherNd', [g.op('r2', 'Reshape', [f, g.const('s23', ints([2], [2, 3]))]), g.const('nd', ints([2, 2], [1, 2, 0, 1]))]);
    await expectParity(g, {
      k: ints([6], [-7, -3, -1, 0, 4, 8]),
      f: { dtype: 'float32', shape: [6], values: [-0.7, 0.2, 0.9, -0.1, 0.5, 0] },
      x: { dtype: 'float32', shape: [6], values: [0, 0, -0.4, -1, 0.3, 0] },
    });
  });
});
