import { attr, type AttrMap } from '../builder';
import type { OpContext } from '../context';
import { transposeData, type ConstData, type Dim } from '../values';
import { emitActivation, operand, padAttrs, spatialPads, windowOutput, type Activation, type OpHandler } from './common';

interface ConvGeometry {
  strides: [number, number];
  dilations: [number, number];
  padding: string;
  explicit: number[];
}

function geometry(ctx: OpContext): ConvGeometry {
  const format = ctx.attrs.string('data_format', 'NHWC');
  if (format !== 'NHWC') ctx.unsupported(`data_format ${format}`);
  const s = ctx.attrs.ints('strides');
  const d = ctx.attrs.ints('dilations');
  return {
    strides: [s[1] ?? 1, s[2] ?? 1],
    dilations: [d[1] ?? 1, d[2] ?? 1],
    padding: ctx.attrs.string('padding', 'VALID'),
    explicit: ctx.attrs.ints('explicit_paddings'),
  };
}

/** The fused extras of _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul, read as TF.js reads them. */
export function fusedExtras(ctx: OpContext, firstArg: number): { bias?: number; activation?: Activation; alphaInput?: number } {
  const ops = ctx.attrs.strings('fused_ops').map((o) => o.toLowerCase());
  if (ops.length === 0) return {};
  const [extra, act] = ops;
  if (extra === 'fusedbatchnorm') ctx.unsupported('fused FusedBatchNorm (TF.js does not run it either)');
  const hasBias = extra === 'biasadd';
  const bias = hasBias ? firstArg : undefined;
  const alphaInput = act === 'prelu' ? (hasBias ? firstArg + 1 : firstArg) : undefined;
  const activation = act ? { kind: act, leakyAlpha: ctx.attrs.float('leakyrelu_alpha', 0.2) } : undefined;
  return { bias, activation, alphaInput };
}

/** Conv2D-like ops: filter HWIO -> OIHW (depthwise HWCM -> (C*M)1HW with group C). */
function convolution(kind: 'conv' | 'depthwise', fused: boolean): OpHandler {
  return (ctx) => {
    const x = ctx.input(0);
    const filter = ctx.constInput(1, 'the filter');
    const g = geometry(ctx);
    const [kh, kw, cin, cm] = filter.shape;
    const weights = kind === 'conv' ? oihw(filter) : depthwiseWeights(filter);
    const outChannels = kind === 'conv' ? cm : cin * cm;
    const inputs = [ctx.nchw(x), ctx.constant(weights, 'weights')];
    const extras = fused ? fusedExtras(ctx, 2) : {};
    if (extras.bias !== undefined) inputs.push(ctx.tf(ctx.input(extras.bias)));
    const pads = spatialPads(g.padding, [x.shape[1], x.shape[2]], [kh, kw], g.strides, g.dilations, g.explicit);
    const shape = outputShape(x.shape, outChannels, [kh, kw], g, pads);
    const out = ctx.output(0, { dtype: 'float32', shape, layout: 'nchw' });
    const convAttrs: AttrMap = {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints(g.strides),
      dilations: attr.ints(g.dilations),
      group: attr.int(kind === 'conv' ? 1 : cin),
      ...padAttrs(pads),
    };
    const act = activationFor(ctx, extras);
    if (!act) {
      ctx.emit('Conv', inputs, out, convAttrs);
      return;
    }
    emitActivation(ctx, act, ctx.op('Conv', inputs, convAttrs, 'conv'), out);
  };
}

function activationFor(ctx: OpContext, extras: ReturnType<typeof fusedExtras>): Activation | undefined {
  if (!extras.activation) return undefined;
  if (extras.alphaInput === undefined) return extras.activation;
  return { ...extras.activation, alpha: operand(ctx, ctx.input(extras.alphaInput), 'nchw') };
}

function outputShape(input: Dim[], channels: number, kernel: [number, number], g: ConvGeometry, pads: { pads: number[] } | { autoPad: string }): Dim[] {
  const p = 'pads' in pads ? pads.pads : [0, 0, 0, 0];
  const mode = 'pads' in pads ? 'EXPLICIT' : 'SAME';
  return [
    input[0],
    windowOutput(input[1], kernel[0], g.strides[0], g.dilations[0], mode, p[0], p[2]),
    windowOutput(input[2], kernel[1], g.strides[1], g.dilations[1], mode, p[1], p[3]),
    channels,
  ];
}

export function oihw(filter: ConstData): ConstData {
  const [kh, kw, cin, cout] = filter.shape;
  return { dtype: 'float32', shape: [cout, cin, kh, kw], data: transposeData(filter.data, filter.shape, [3, 2, 0, 1]) };
}

function depthwiseWeights(filter: ConstData): ConstData {
  const [kh, kw, cin, m] = filter.shape;
  return { dtype: 'float32', shape: [cin * m, 1, kh, kw], data: transposeData(filter.data, filter.shape, [2, 3, 0, 1]) };
}

/** Conv2DBackpropInput (a transposed convolution): ONNX ConvTranspose with TF's padding. */
const conv2dBackpropInput: OpHandler = (ctx) => {
  const sizes = ctx.knownNumbers(0);
  if (!sizes || sizes[1] === null || sizes[2] === null) return ctx.unsupported('the output height and width (input 0) must be known at conversion time');
  const filter = ctx.constInput(1, 'the filter');
  const x = ctx.input(2);
  const g = geometry(ctx);
  const [kh, kw, outC, inC] = filter.shape;
  const weights: ConstData = { dtype: 'float32', shape: [inC, outC, kh, kw], data: transposeData(filter.data, filter.shape, [3, 2, 0, 1]) };
  const outHW: [number, number] = [sizes[1], sizes[2]];
  // TF pads the forward convolution that maps the output back to the input; ConvTranspose
  // takes the same pads, plus output_padding for the rows that padding leaves out.
  const p = spatialPads(g.padding, outHW, [kh, kw], g.strides, g.dilations, g.explicit);
  if (!('pads' in p)) return ctx.unsupported('unknown output size');
  const inHW = [x.shape[1], x.shape[2]];
  const outputPadding = [0, 1].map((i) => {
    const n = inHW[i];
    if (n === null) return 0;
    const effective = (i === 0 ? kh - 1 : kw - 1) * g.dilations[i] + 1;
    return outHW[i] - ((n - 1) * g.strides[i] + effective - p.pads[i] - p.pads[i + 2]);
  });
  const out = ctx.output(0, { dtype: 'float32', shape: [x.shape[0], outHW[0], outHW[1], outC], layout: 'nchw' });
  ctx.emit('ConvTranspose', [ctx.nchw(x), ctx.constant(weights, 'weights')], out, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(g.strides),
    dilations: attr.ints(g.dilations),
    pads: attr.ints(p.pads),
    output_padding: attr.ints(outputPadding),
  });
};

export const convOps: Record<string, OpHandler> = {
  Conv2D: convolution('conv', false),
  _FusedConv2D: convolution('conv', true),
  DepthwiseConv2dNative: convolution('depthwise', false),
  DepthwiseConv2d: convolution('depthwise', false),
  FusedDepthwiseConv2dNative: convolution('depthwise', true),
  Conv2DBackpropInput: conv2dBackpropInput,
};
