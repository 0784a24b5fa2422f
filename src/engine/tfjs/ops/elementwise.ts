import { attr, ONNX_TYPE } from '../builder';
import type { OpContext } from '../context';
import type { TfDtype } from '../graph';
import { broadcastShapes, uniformValue, type TfValue } from '../values';
import { elementwiseLayout, emitActivation, operand, scalar, type OpHandler } from './common';

type Build = (ctx: OpContext, inputs: string[], out: string, dtype: TfDtype) => void;

/** An op applied element by element to one input, keeping its layout. */
function unary(build: Build, outDtype?: TfDtype): OpHandler {
  return (ctx) => {
    const x = ctx.input(0);
    const out = ctx.output(0, { dtype: outDtype ?? x.dtype, shape: x.shape, layout: x.layout });
    build(ctx, [ctx.as(x, x.layout)], out, x.dtype);
  };
}

const simple = (op: string): Build => (ctx, [x], out) => ctx.emit(op, [x], out);

/** An op over broadcast inputs; NCHW when a 4-D input already is. */
function nary(build: Build, outDtype?: TfDtype): OpHandler {
  return (ctx) => {
    const values = ctx.inputs();
    const shape = values.map((v) => v.shape).reduce((a, b) => broadcastShapes(a, b));
    const layout = elementwiseLayout(values, shape.length);
    const out = ctx.output(0, { dtype: outDtype ?? values[0].dtype, shape, layout });
    build(ctx, values.map((v) => operand(ctx, v, layout)), out, values[0].dtype);
  };
}

const binary = (op: string): Build => (ctx, [a, b], out) => ctx.emit(op, [a, b], out);

const floorDiv: Build = (ctx, [a, b], out, dtype) => {
  if (dtype === 'float32') {
    ctx.emit('Floor', [ctx.op('Div', [a, b])], out);
    return;
  }
  // Exact integer floor division: (a - floormod(a, b)) / b divides evenly.
  const mod = ctx.op('Mod', [a, b], { fmod: attr.int(0) });
  ctx.emit('Div', [ctx.op('Sub', [a, mod]), b], out);
};

const floorMod: Build = (ctx, [a, b], out, dtype) => {
  if (dtype !== 'float32') {
    ctx.emit('Mod', [a, b], out, { fmod: attr.int(0) });
    return;
  }
  const q = ctx.op('Floor', [ctx.op('Div', [a, b])]);
  ctx.emit('Sub', [a, ctx.op('Mul', [q, b])], out);
};

/** TF.js divides int32 tensors with floor division, whatever the op is called. */
const divide: Build = (ctx, inputs, out, dtype) => (dtype === 'float32' ? ctx.emit('Div', inputs, out) : floorDiv(ctx, inputs, out, dtype));

const squaredDifference: Build = (ctx, [a, b], out) => {
  const d = ctx.op('Sub', [a, b]);
  ctx.emit('Mul', [d, d], out);
};

/** atan2 from Atan of the quotient plus the quadrant correction; atan2(0, 0) = 0 as in JS. */
const atan2: Build = (ctx, [y, x], out) => {
  const zero = ctx.float([0], 'zero', []);
  const angle = ctx.op('Atan', [ctx.op('Div', [y, x])]);
  const turn = ctx.op('Where', [ctx.op('GreaterOrEqual', [y, zero]), ctx.float([Math.PI], 'pi', []), ctx.float([-Math.PI], 'minus_pi', [])]);
  const corrected = ctx.op('Add', [angle, ctx.op('Where', [ctx.op('Less', [x, zero]), turn, zero])]);
  const origin = ctx.op('And', [ctx.op('Equal', [x, zero]), ctx.op('Equal', [y, zero])]);
  ctx.emit('Where', [origin, zero, corrected], out);
};

const divNoNan: Build = (ctx, [a, b], out, dtype) => {
  const zero = scalar(ctx, 0, dtype, 'zero');
  ctx.emit('Where', [ctx.op('Equal', [b, zero]), zero, ctx.op('Div', [a, b])], out);
};

/**
 * Maximum/Minimum against one repeated constant become Clip, which gradient code knows as
 * a plain activation; anything else stays ONNX Max/Min.
 */
function clipOrExtreme(onnxOp: 'Max' | 'Min'): OpHandler {
  const general = nary(binary(onnxOp));
  return (ctx) => {
    const [a, b] = [ctx.input(0), ctx.input(1)];
    const [x, c] = b.constant ? [a, b] : a.constant ? [b, a] : [undefined, undefined];
    const bound = c?.constant ? uniformValue(c.constant) : undefined;
    if (!x || !c || bound === undefined || x.dtype !== 'float32' || !fitsInto(c, x)) return general(ctx);
    const out = ctx.output(0, { dtype: x.dtype, shape: x.shape, layout: x.layout });
    const value = ctx.float([bound], onnxOp === 'Max' ? 'min' : 'max', []);
    ctx.emit('Clip', onnxOp === 'Max' ? [ctx.as(x, x.layout), value] : [ctx.as(x, x.layout), '', value], out);
  };
}

function fitsInto(c: TfValue, x: TfValue): boolean {
  try {
    return JSON.stringify(broadcastShapes(x.shape, c.shape)) === JSON.stringify(x.shape);
  } catch {
    return false;
  }
}

const clipByValue: OpHandler = (ctx) => {
  const [x, lo, hi] = ctx.inputs();
  const bounds = [lo, hi].map((v) => (v.constant && v.constant.data.length === 1 ? v.constant.data[0] : undefined));
  if (bounds[0] === undefined || bounds[1] === undefined || x.dtype !== 'float32') {
    return nary((c, [a, l, h], out) => c.emit('Min', [c.op('Max', [a, l]), h], out))(ctx);
  }
  const out = ctx.output(0, { dtype: x.dtype, shape: x.shape, layout: x.layout });
  ctx.emit('Clip', [ctx.as(x, x.layout), ctx.float([bounds[0]], 'min', []), ctx.float([bounds[1]], 'max', [])], out);
};

const addN: OpHandler = nary((ctx, inputs, out) => {
  let acc = inputs[0];
  for (let i = 1; i < inputs.length - 1; i++) acc = ctx.op('Add', [acc, inputs[i]], {}, `sum${i}`);
  if (inputs.length === 1) ctx.emit('Identity', [acc], out);
  else ctx.emit('Add', [acc, inputs[inputs.length - 1]], out);
});

const cast: OpHandler = (ctx) => {
  const x = ctx.input(0);
  const to = ctx.attrs.dtype('DstT') ?? 'float32';
  const out = ctx.output(0, { dtype: to, shape: x.shape, layout: x.layout });
  if (to === x.dtype) ctx.emit('Identity', [ctx.as(x, x.layout)], out);
  else ctx.emit('Cast', [ctx.as(x, x.layout)], out, { to: attr.int(ONNX_TYPE[to]) });
};

const biasAdd: OpHandler = (ctx) => {
  const format = ctx.attrs.string('data_format', 'NHWC');
  if (format !== 'NHWC') ctx.unsupported(`data_format ${format}`);
  nary(binary('Add'))(ctx);
};

/** TF's Select (v1) with a vector condition picks whole rows; SelectV2 broadcasts. */
const select: OpHandler = (ctx) => {
  const [cond, a, b] = ctx.inputs();
  if (cond.shape.length === 1 && a.shape.length > 1) {
    const shape = a.shape;
    const out = ctx.output(0, { dtype: a.dtype, shape, layout: 'tf' });
    const axes = ctx.int64(Array.from({ length: a.shape.length - 1 }, (_, i) => i + 1), 'axes');
    ctx.emit('Where', [ctx.op('Unsqueeze', [ctx.tf(cond), axes]), ctx.tf(a), ctx.tf(b)], out);
    return;
  }
  nary((c, inputs, out) => c.emit('Where', inputs, out))(ctx);
};

const selectV2: OpHandler = (ctx) => {
  const values = ctx.inputs();
  const shape = values.map((v) => v.shape).reduce((p, q) => broadcastShapes(p, q));
  const layout = elementwiseLayout(values, shape.length);
  const out = ctx.output(0, { dtype: values[1].dtype, shape, layout });
  ctx.emit('Where', values.map((v) => operand(ctx, v, layout)), out);
};

const activation = (kind: string): Build => (ctx, [x], out) => emitActivation(ctx, { kind, leakyAlpha: ctx.attrs.float('alpha', 0.2) }, x, out);

const prelu: OpHandler = (ctx) => {
  const [x, alpha] = ctx.inputs();
  const layout = x.layout;
  const out = ctx.output(0, { dtype: x.dtype, shape: x.shape, layout });
  ctx.emit('PRelu', [ctx.as(x, layout), operand(ctx, alpha, layout)], out);
};

export const elementwiseOps: Record<string, OpHandler> = {
  Relu: unary(simple('Relu')),
  Relu6: unary(activation('relu6')),
  Elu: unary(activation('elu')),
  Selu: unary(activation('selu')),
  LeakyRelu: unary(activation('leakyrelu')),
  Sigmoid: unary(simple('Sigmoid')),
  Tanh: unary(simple('Tanh')),
  Softplus: unary(simple('Softplus')),
  Softsign: unary(simple('Softsign')),
  Exp: unary(simple('Exp')),
  Log: unary(simple('Log')),
  Log1p: unary((ctx, [x], out) => ctx.emit('Log', [ctx.op('Add', [x, ctx.float([1], 'one', [])])], out)),
  Expm1: unary((ctx, [x], out) => ctx.emit('Sub', [ctx.op('Exp', [x]), ctx.float([1], 'one', [])], out)),
  Sqrt: unary(simple('Sqrt')),
  Rsqrt: unary((ctx, [x], out) => ctx.emit('Reciprocal', [ctx.op('Sqrt', [x])], out)),
  Reciprocal: unary(simple('Reciprocal')),
  Inv: unary(simple('Reciprocal')),
  Square: unary((ctx, [x], out) => ctx.emit('Mul', [x, x], out)),
  Neg: unary(simple('Neg')),
  Abs: unary(simple('Abs')),
  Sign: unary(simple('Sign')),
  Floor: unary(simple('Floor')),
  Ceil: unary(simple('Ceil')),
  Round: unary(simple('Round')),
  Sin: unary(simple('Sin')),
  Cos: unary(simple('Cos')),
  Tan: unary(simple('Tan')),
  Asin: unary(simple('Asin')),
  Acos: unary(simple('Acos')),
  Atan: unary(simple('Atan')),
  Sinh: unary(simple('Sinh')),
  Cosh: unary(simple('Cosh')),
  Asinh: unary(simple('Asinh')),
  Acosh: unary(simple('Acosh')),
  Atanh: unary(simple('Atanh')),
  Erf: unary(simple('Erf')),
  IsNan: unary(simple('IsNaN'), 'bool'),
  LogicalNot: unary(simple('Not'), 'bool'),
  Add: nary(binary('Add')),
  AddV2: nary(binary('Add')),
  BiasAdd: biasAdd,
  Sub: nary(binary('Sub')),
  Mul: nary(binary('Mul')),
  RealDiv: nary(divide),
  Div: nary(divide),
  FloorDiv: nary(floorDiv),
  FloorMod: nary(floorMod),
  // TF.js's mod is a floor mod (the result takes the divisor's sign), like FloorMod.
  Mod: nary(floorMod),
  DivNoNan: nary(divNoNan),
  Pow: nary(binary('Pow')),
  Atan2: nary(atan2),
  SquaredDifference: nary(squaredDifference),
  Maximum: clipOrExtreme('Max'),
  Minimum: clipOrExtreme('Min'),
  ClipByValue: clipByValue,
  AddN: addN,
  Equal: nary(binary('Equal'), 'bool'),
  NotEqual: nary((ctx, inputs, out) => ctx.emit('Not', [ctx.op('Equal', inputs)], out), 'bool'),
  Less: nary(binary('Less'), 'bool'),
  LessEqual: nary(binary('LessOrEqual'), 'bool'),
  Greater: nary(binary('Greater'), 'bool'),
  GreaterEqual: nary(binary('GreaterOrEqual'), 'bool'),
  LogicalAnd: nary(binary('And'), 'bool'),
  LogicalOr: nary(binary('Or'), 'bool'),
  Select: select,
  SelectV2: selectV2,
  Cast: cast,
  Prelu: prelu,
};
