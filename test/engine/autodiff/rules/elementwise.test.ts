import { describe, it } from 'vitest';
import { awayFrom, expectGradient, float, int } from '../gradcheck';

const positive = (r: () => number) => 0.5 + r();

describe('gradient rules: arithmetic with broadcasting (float64, finite differences)', () => {
  it('Add broadcasts [2,3,4] + [3,1]', () => expectGradient({ op: 'Add', inputs: [{ dims: [2, 3, 4] }, { dims: [3, 1] }] }));
  it('Sub broadcasts [2,3] - [3]', () => expectGradient({ op: 'Sub', inputs: [{ dims: [2, 3] }, { dims: [3] }] }));
  it('Mul broadcasts [2,1,4] * [3,1]', () => expectGradient({ op: 'Mul', inputs: [{ dims: [2, 1, 4] }, { dims: [3, 1] }] }));
  it('Div broadcasts [2,3] / [3]', () => expectGradient({ op: 'Div', inputs: [{ dims: [2, 3] }, { dims: [3], sample: positive }] }));
  it('Sum of three broadcast operands', () => expectGradient({ op: 'Sum', inputs: [{ dims: [2, 3] }, { dims: [3] }, { dims: [2, 1] }] }));
  it('Mean of two operands (float32, linear)', () => expectGradient({ op: 'Mean', inputs: [{ dims: [2, 3] }, { dims: [1, 3] }], type: 'float32', eps: 0.5 }));
  it('Neg', () => expectGradient({ op: 'Neg', inputs: [{ dims: [2, 3] }] }));
  it('Max and Min pick the larger/smaller operand', async () => {
    await expectGradient({ op: 'Max', inputs: [{ dims: [2, 3] }, { dims: [3] }] });
    await expectGradient({ op: 'Min', inputs: [{ dims: [2, 3] }, { dims: [2, 3] }, { dims: [1, 3] }] });
  });
  it('Pow with a constant exponent and with both operands varying', async () => {
    await expectGradient({ op: 'Pow', inputs: [{ dims: [2, 3], sample: positive }, { dims: [], role: 'const', values: [3] }] });
    await expectGradient({ op: 'Pow', inputs: [{ dims: [2, 3], sample: positive }, { dims: [], role: 'const', values: [2] }] });
    await expectGradient({ op: 'Pow', inputs: [{ dims: [2, 3], sample: positive }, { dims: [3] }] });
  });
  it('Where routes the gradient by the condition', () =>
    expectGradient({ op: 'Where', inputs: [{ dims: [2, 3], role: 'bool', values: [1, 0, 1, 0, 0, 1] }, { dims: [2, 3] }, { dims: [3] }] }));
});

describe('gradient rules: element-wise math', () => {
  it('Exp, Log, Sqrt, Reciprocal', async () => {
    await expectGradient({ op: 'Exp', inputs: [{ dims: [2, 3] }] });
    await expectGradient({ op: 'Log', inputs: [{ dims: [2, 3], sample: positive }] });
    await expectGradient({ op: 'Sqrt', inputs: [{ dims: [2, 3], sample: positive }] });
    await expectGradient({ op: 'Reciprocal', inputs: [{ dims: [2, 3], sample: positive }] });
  });
  it('Abs, Sin, Cos', async () => {
    await expectGradient({ op: 'Abs', inputs: [{ dims: [2, 3], sample: awayFrom([0]) }] });
    await expectGradient({ op: 'Sin', inputs: [{ dims: [2, 3] }] });
    await expectGradient({ op: 'Cos', inputs: [{ dims: [2, 3] }] });
  });
  it('Erf (float32)', () => expectGradient({ op: 'Erf', inputs: [{ dims: [2, 4] }], type: 'float32', eps: 1e-2 }));
  it('Floor has a zero gradient away from integers', () => expectGradient({ op: 'Floor', inputs: [{ dims: [2, 3], sample: awayFrom([-1, 0, 1], 0.05) }], type: 'float32', eps: 1e-3 }));
});

describe('gradient rules: activations', () => {
  const x = (kinks: number[], lo = -1, hi = 1) => ({ dims: [2, 3, 4], sample: awayFrom(kinks, 0.05, lo, hi) });
  it('Relu', () => expectGradient({ op: 'Relu', inputs: [x([0])] }));
  it('LeakyRelu with positive and negative slopes', async () => {
    await expectGradient({ op: 'LeakyRelu', inputs: [x([0])], attrs: { alpha: float(0.1) } });
    await expectGradient({ op: 'LeakyRelu', inputs: [x([0])], attrs: { alpha: float(-0.3) } });
  });
  it('PRelu with a per-channel slope', () =>
    expectGradient({ op: 'PRelu', inputs: [x([0]), { dims: [3, 1], role: 'const', values: [0.2, -0.5, 1.5] }] }));
  it('Clip with both bounds (Relu6) and with a lower bound only', async () => {
    await expectGradient({ op: 'Clip', inputs: [x([0, 0.5], -1, 1), { dims: [], role: 'const', values: [0] }, { dims: [], role: 'const', values: [0.5] }] });
    await expectGradient({ op: 'Clip', inputs: [x([-0.2]), { dims: [], role: 'const', values: [-0.2] }, { dims: [], role: 'skip' }] });
  });
  it('Relu, Clip, HardSigmoid and HardSwish masks in the blocked-layout (affine Conv) form and the comparison form', async () => {
    const blocked = { dims: [2, 8, 3, 3], sample: awayFrom([-0.5, 0, 0.5], 0.05, -1, 1) };
    // HardSigmoid(alpha 1/6, beta 1/2) kinks at +-3: values on both sides and between.
    const wide = { dims: [2, 8, 3, 3], sample: awayFrom([-3, 3], 0.1, -5, 5) };
    const check = { type: 'float32' as const, eps: 1e-3, atol: 1e-3, rtol: 1e-3 };
    for (const masks of ['affine', 'compare'] as const) {
      await expectGradient({ op: 'Relu', inputs: [blocked], lowering: { masks }, ...check });
      await expectGradient({ op: 'Clip', inputs: [blocked, { dims: [], role: 'const', values: [0] }, { dims: [], role: 'const', values: [0.5] }], lowering: { masks }, ...check });
      await expectGradient({ op: 'Clip', inputs: [blocked, { dims: [], role: 'const', values: [-0.5] }, { dims: [], role: 'const', values: [0.5] }], lowering: { masks }, ...check });
      await expectGradient({ op: 'HardSigmoid', inputs: [wide], attrs: { alpha: float(1 / 6), beta: float(0.5) }, lowering: { masks }, ...check });
      await expectGradient({ op: 'HardSwish', inputs: [wide], lowering: { masks }, ...check });
    }
  });
  it('Sigmoid, Tanh (float64), Softplus, Softsign (float32)', async () => {
    for (const op of ['Sigmoid', 'Tanh']) await expectGradient({ op, inputs: [x([0], -3, 3)] });
    for (const op of ['Softplus', 'Softsign']) await expectGradient({ op, inputs: [x([0], -3, 3)], type: 'float32' });
  });
  it('HardSigmoid and HardSwish (float32; kinks at ±2.5 and ±3)', async () => {
    await expectGradient({ op: 'HardSigmoid', inputs: [x([-2.5, 2.5], -4, 4)], type: 'float32' });
    await expectGradient({ op: 'HardSigmoid', inputs: [x([-1, 1], -2, 2)], attrs: { alpha: float(0.5), beta: float(0.5) }, type: 'float32' });
    await expectGradient({ op: 'HardSwish', inputs: [x([-3, 3], -5, 5)], type: 'float32' });
  });
  it('Elu, Selu, Celu, ThresholdedRelu', async () => {
    await expectGradient({ op: 'Elu', inputs: [x([0], -2, 2)], attrs: { alpha: float(0.7) }, type: 'float32' });
    await expectGradient({ op: 'Selu', inputs: [x([0], -2, 2)], type: 'float32' });
    await expectGradient({ op: 'Celu', inputs: [x([0], -2, 2)], attrs: { alpha: float(1.5) }, type: 'float32' });
    await expectGradient({ op: 'ThresholdedRelu', inputs: [x([0.3])], attrs: { alpha: float(0.3) }, type: 'float32' });
  });
  it('Mish and Gelu (exact and tanh; float32)', async () => {
    await expectGradient({ op: 'Mish', inputs: [x([], -3, 3)], opset: 18 });
    await expectGradient({ op: 'Gelu', inputs: [x([], -3, 3)], opset: 20, type: 'float32' });
    await expectGradient({ op: 'Gelu', inputs: [x([], -3, 3)], opset: 20, type: 'float32', attrs: { approximate: { type: 'string', value: 'tanh' } } });
  });
});

describe('gradient rules: softmax family', () => {
  it('Softmax and LogSoftmax along any axis', async () => {
    await expectGradient({ op: 'Softmax', inputs: [{ dims: [2, 3, 4] }], attrs: { axis: int(1) } });
    await expectGradient({ op: 'Softmax', inputs: [{ dims: [2, 5] }] });
    await expectGradient({ op: 'LogSoftmax', inputs: [{ dims: [2, 3, 4] }], attrs: { axis: int(-1) } });
    await expectGradient({ op: 'LogSoftmax', inputs: [{ dims: [3, 4] }], attrs: { axis: int(0) } });
  });
});

describe('gradient rules: MatMul and Gemm', () => {
  it('MatMul batched, broadcast and 1-D', async () => {
    await expectGradient({ op: 'MatMul', inputs: [{ dims: [2, 3, 4] }, { dims: [4, 5] }] });
    await expectGradient({ op: 'MatMul', inputs: [{ dims: [4] }, { dims: [4, 5] }] });
    await expectGradient({ op: 'MatMul', inputs: [{ dims: [2, 3, 4] }, { dims: [4] }] });
    await expectGradient({ op: 'MatMul', inputs: [{ dims: [2, 1, 3, 4] }, { dims: [3, 4, 2] }] });
  });
  it('Gemm with every transpose combination, alpha, beta and a broadcast bias', async () => {
    for (const [ta, tb] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      await expectGradient({
        op: 'Gemm',
        inputs: [{ dims: ta ? [4, 3] : [3, 4] }, { dims: tb ? [5, 4] : [4, 5] }, { dims: [5] }],
        attrs: { transA: int(ta), transB: int(tb), alpha: float(0.7), beta: float(1.3) },
        type: 'float32',
        eps: 0.5,
      });
    }
  });
});

describe('gradient rules: normalisation', () => {
  it('BatchNormalization (inference) with constant statistics', () =>
    expectGradient({
      op: 'BatchNormalization',
      inputs: [
        { dims: [2, 3, 2, 2] },
        { dims: [3], role: 'const', values: [0.5, -1, 2] },
        { dims: [3], role: 'const' },
        { dims: [3], role: 'const' },
        { dims: [3], role: 'const', values: [0.5, 1, 2] },
      ],
      attrs: { epsilon: float(1e-3) },
      type: 'float32',
      eps: 0.5,
    }));
  it('LayerNormalization over the last axis and over two axes', async () => {
    await expectGradient({ op: 'LayerNormalization', inputs: [{ dims: [2, 3, 4] }, { dims: [4], role: 'const' }, { dims: [4], role: 'const' }] });
    await expectGradient({ op: 'LayerNormalization', inputs: [{ dims: [2, 3, 4] }, { dims: [3, 4], role: 'const' }, { dims: [3, 4], role: 'const' }], attrs: { axis: int(1) } });
  });
  it('InstanceNormalization (float32)', () =>
    expectGradient({ op: 'InstanceNormalization', inputs: [{ dims: [2, 3, 3, 3] }, { dims: [3], role: 'const' }, { dims: [3], role: 'const' }], type: 'float32', eps: 1e-2, atol: 5e-3 }));
});
