import { describe, expect, it } from 'vitest';
import type { Attrs } from '../../../../src/engine/autodiff/emitter';
import { expectGradient, float, int, ints, str, type CheckInput } from '../gradcheck';

/**
 * Weight gradients (training): every parameter slot is perturbed by central differences while
 * the data input is either also differentiated or held constant, so a rule that only gets the
 * weight right when the input is on the path (or the reverse) is caught.
 */
interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  attrs: Attrs;
}

const CONV_CASES: ConvCase[] = [
  { name: '3x3 stride 1 pad 1', x: [2, 3, 6, 6], w: [4, 3, 3, 3], attrs: { pads: ints([1, 1, 1, 1]) } },
  { name: '3x3 stride 2 pad 1 (unread row)', x: [2, 2, 8, 8], w: [3, 2, 3, 3], attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } },
  { name: '3x3 stride 2 no pad (unread rows)', x: [1, 2, 8, 8], w: [3, 2, 3, 3], attrs: { strides: ints([2, 2]) } },
  { name: 'grouped 3x3 stride 1', x: [2, 4, 5, 5], w: [6, 2, 3, 3], attrs: { pads: ints([1, 1, 1, 1]), group: int(2) } },
  { name: 'depthwise 3x3 stride 2', x: [1, 3, 7, 7], w: [3, 1, 3, 3], attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), group: int(3) } },
  { name: 'dilation 2, asymmetric pads', x: [1, 2, 7, 6], w: [3, 2, 3, 3], attrs: { dilations: ints([2, 2]), pads: ints([2, 0, 1, 2]) } },
  { name: 'SAME_UPPER stride 2', x: [1, 2, 7, 6], w: [3, 2, 3, 3], attrs: { auto_pad: str('SAME_UPPER'), strides: ints([2, 2]) } },
  { name: '1-D stride 2', x: [2, 3, 9], w: [4, 3, 3], attrs: { strides: ints([2]), pads: ints([1, 1]) } },
];

const constant = (dims: number[]): CheckInput => ({ dims, role: 'const' });

/** Conv is bilinear, so a large step is exact up to float32 rounding (onnxruntime has no float64 Conv). */
const LINEAR = { type: 'float32' as const, eps: 0.5, atol: 1e-3, rtol: 1e-4 };

describe('gradient rule: Conv weight and bias (float32, finite differences)', () => {
  for (const c of CONV_CASES) {
    it(c.name, async () => {
      const bias = [c.w[0]];
      await expectGradient({ op: 'Conv', inputs: [constant(c.x), { dims: c.w }, { dims: bias }], attrs: c.attrs, ...LINEAR });
      await expectGradient({ op: 'Conv', inputs: [{ dims: c.x }, { dims: c.w }, { dims: bias }], attrs: c.attrs, ...LINEAR });
    });
  }
});

describe('gradient rule: ConvTranspose weight and bias (float32, finite differences)', () => {
  const cases: { name: string; x: number[]; w: number[]; attrs: Attrs }[] = [
    { name: '3x3 stride 2 pad 1 output_padding 1', x: [2, 3, 4, 4], w: [3, 2, 3, 3], attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), output_padding: ints([1, 1]) } },
    { name: '4x4 stride 2 pad 1', x: [1, 2, 3, 3], w: [2, 3, 4, 4], attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } },
    { name: 'grouped 3x3 stride 1', x: [1, 4, 4, 4], w: [4, 1, 3, 3], attrs: { group: int(2) } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const outChannels = c.w[1] * (c.attrs.group?.type === 'int' ? c.attrs.group.value : 1);
      await expectGradient({ op: 'ConvTranspose', inputs: [constant(c.x), { dims: c.w }, { dims: [outChannels] }], attrs: c.attrs, ...LINEAR });
      await expectGradient({ op: 'ConvTranspose', inputs: [{ dims: c.x }, { dims: c.w }, { dims: [outChannels] }], attrs: c.attrs, ...LINEAR });
    });
  }
});

describe('gradient rule: normalisation scale and bias (float64, finite differences)', () => {
  const positive = (r: () => number) => 0.5 + r();
  it('inference BatchNormalization', async () => {
    const stats = [{ dims: [3], role: 'const' as const }, { dims: [3], role: 'const' as const, sample: positive }];
    await expectGradient({ op: 'BatchNormalization', inputs: [constant([2, 3, 4, 4]), { dims: [3] }, { dims: [3] }, ...stats], attrs: { epsilon: float(1e-3) } });
    await expectGradient({ op: 'BatchNormalization', inputs: [{ dims: [2, 3, 4, 4] }, { dims: [3] }, { dims: [3] }, ...stats], attrs: { epsilon: float(1e-3) } });
  });
  it('LayerNormalization over the last two axes', async () => {
    await expectGradient({ op: 'LayerNormalization', inputs: [constant([2, 3, 4, 5]), { dims: [4, 5] }, { dims: [4, 5] }], attrs: { axis: int(-2) } });
    await expectGradient({ op: 'LayerNormalization', inputs: [{ dims: [2, 3, 5] }, { dims: [5] }, { dims: [5] }] });
  });
  it('InstanceNormalization', async () => {
    await expectGradient({ op: 'InstanceNormalization', inputs: [{ dims: [2, 3, 3, 3] }, { dims: [3] }, { dims: [3] }], type: 'float32', eps: 1e-2, atol: 5e-3 });
  });
});

describe('gradient rule: PRelu slope and constant operands of arithmetic (float64, finite differences)', () => {
  const awayFromZero = (r: () => number) => (r() < 0.5 ? -1 : 1) * (0.1 + r());
  it('PRelu with a per-channel slope', async () => {
    await expectGradient({ op: 'PRelu', inputs: [{ dims: [2, 3, 4, 4], role: 'const', sample: awayFromZero }, { dims: [3, 1, 1] }] });
    await expectGradient({ op: 'PRelu', inputs: [{ dims: [2, 3, 4, 4], sample: awayFromZero }, { dims: [3, 1, 1] }] });
  });
  it('Gemm with a transposed weight and a broadcast bias', async () => {
    const attrs = { transB: int(1), alpha: float(0.7), beta: float(1.3) };
    await expectGradient({ op: 'Gemm', inputs: [constant([3, 5]), { dims: [4, 5] }, { dims: [4] }], attrs });
  });
  it('Mul and Add by broadcast parameters', async () => {
    await expectGradient({ op: 'Mul', inputs: [constant([2, 3, 4]), { dims: [3, 1] }] });
    await expectGradient({ op: 'Add', inputs: [constant([2, 3, 4]), { dims: [4] }] });
  });
  it('a wrong weight rule is caught', async () => {
    const { GRADIENT_RULES } = await import('../../../../src/engine/autodiff/rules');
    const wrong = { ...GRADIENT_RULES, Conv: (ctx: Parameters<(typeof GRADIENT_RULES)['Conv']>[0]) => GRADIENT_RULES.Conv(ctx).map((g, i) => (i === 1 && g ? ctx.emit.mul(g, ctx.scalar(1.01, g)) : g)) };
    await expect(expectGradient({ op: 'Conv', inputs: [constant([1, 2, 5, 5]), { dims: [2, 2, 3, 3] }], rules: wrong, ...LINEAR })).rejects.toThrow(/finite differences disagree/);
  });
});
