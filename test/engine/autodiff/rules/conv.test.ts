import { describe, it } from 'vitest';
import type { LoweringOptions } from '../../../../src/engine/autodiff/lowering/options';
import type { Attrs } from '../../../../src/engine/autodiff/emitter';
import { expectGradient, int, ints, str } from '../gradcheck';

/**
 * Conv is linear in its input, so central differences with a large step are exact up to float32
 * rounding: the tolerance stays tight enough to reject any misplaced tap or padding.
 */
const LOWERINGS: Partial<LoweringOptions>[] = [
  { stride1: 'conv', strided: 'phase', stridedDepthwise: 'phase', stridedMinChannels: 1 },
  { stride1: 'convtranspose', strided: 'convtranspose', stridedDepthwise: 'convtranspose' },
  { strided: 'zero-insert', stridedDepthwise: 'zero-insert', stridedMinChannels: 1 },
];

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  attrs: Attrs;
  bias?: boolean;
}

const CASES: ConvCase[] = [
  { name: '3x3 stride 1 pad 1', x: [2, 3, 6, 6], w: [4, 3, 3, 3], attrs: { pads: ints([1, 1, 1, 1]) }, bias: true },
  { name: '3x3 stride 1 no pad', x: [1, 2, 6, 5], w: [3, 2, 3, 3], attrs: {} },
  { name: '3x3 stride 2 pad 1', x: [2, 3, 7, 7], w: [4, 3, 3, 3], attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } },
  { name: '3x3 stride 2 pad 1, even input', x: [1, 3, 8, 8], w: [2, 3, 3, 3], attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } },
  { name: 'depthwise 3x3 stride 2', x: [2, 4, 7, 7], w: [4, 1, 3, 3], attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), group: int(4) } },
  { name: 'depthwise 3x3 stride 1', x: [2, 4, 5, 5], w: [4, 1, 3, 3], attrs: { pads: ints([1, 1, 1, 1]), group: int(4) } },
  { name: 'grouped 5x5 stride 2 pad 2', x: [1, 4, 9, 9], w: [6, 2, 5, 5], attrs: { strides: ints([2, 2]), pads: ints([2, 2, 2, 2]), group: int(2) } },
  { name: '1x1 stride 2 (unread last row)', x: [2, 3, 8, 8], w: [4, 3, 1, 1], attrs: { strides: ints([2, 2]) } },
  { name: '3x3 stride 2 no pad (unread rows)', x: [1, 2, 8, 8], w: [3, 2, 3, 3], attrs: { strides: ints([2, 2]) } },
  { name: '7x7 stride 2 pad 3 (ResNet stem)', x: [1, 3, 9, 9], w: [4, 3, 7, 7], attrs: { strides: ints([2, 2]), pads: ints([3, 3, 3, 3]) } },
  { name: '3x3 stride 3 pad 1', x: [1, 2, 8, 7], w: [2, 2, 3, 3], attrs: { strides: ints([3, 3]), pads: ints([1, 1, 1, 1]) } },
  { name: 'dilation 2 stride 1', x: [1, 2, 7, 7], w: [3, 2, 3, 3], attrs: { dilations: ints([2, 2]), pads: ints([2, 2, 2, 2]) } },
  { name: 'dilation 2 stride 2', x: [1, 2, 9, 9], w: [3, 2, 3, 3], attrs: { dilations: ints([2, 2]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } },
  { name: 'asymmetric pads', x: [1, 2, 6, 6], w: [3, 2, 3, 3], attrs: { pads: ints([0, 1, 2, 0]), strides: ints([2, 1]) } },
  { name: 'SAME_UPPER stride 2', x: [1, 2, 7, 6], w: [3, 2, 3, 3], attrs: { auto_pad: str('SAME_UPPER'), strides: ints([2, 2]) } },
  { name: 'SAME_LOWER stride 2', x: [1, 2, 6, 7], w: [3, 2, 4, 4], attrs: { auto_pad: str('SAME_LOWER'), strides: ints([2, 2]) } },
  { name: 'VALID 2x2 stride 2', x: [1, 2, 6, 6], w: [3, 2, 2, 2], attrs: { auto_pad: str('VALID'), strides: ints([2, 2]) } },
  { name: 'padding wider than the kernel', x: [1, 2, 5, 5], w: [3, 2, 1, 1], attrs: { pads: ints([2, 1, 2, 1]) } },
  { name: '1-D stride 2', x: [2, 3, 9], w: [4, 3, 3], attrs: { strides: ints([2]), pads: ints([1, 1]) } },
  { name: '3-D stride 1', x: [1, 2, 4, 4, 4], w: [2, 2, 3, 3, 3], attrs: { pads: ints([1, 1, 1, 1, 1, 1]) } },
];

describe('gradient rule: Conv input gradient (float32, finite differences)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      for (const lowering of LOWERINGS) {
        await expectGradient({
          op: 'Conv',
          inputs: [{ dims: c.x }, { dims: c.w, role: 'const' }, ...(c.bias ? [{ dims: [c.w[0]], role: 'const' as const }] : [])],
          attrs: c.attrs,
          type: 'float32',
          eps: 0.5,
          atol: 1e-3,
          rtol: 1e-4,
          lowering,
        });
      }
    });
  }
});

describe('gradient rule: ConvTranspose input gradient', () => {
  const cases: { name: string; x: number[]; w: number[]; attrs: Attrs }[] = [
    { name: 'stride 2 pad 1 output_padding 1', x: [1, 3, 4, 4], w: [3, 2, 3, 3], attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), output_padding: ints([1, 1]) } },
    { name: 'grouped stride 2', x: [1, 4, 3, 3], w: [4, 3, 4, 4], attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), group: int(2) } },
    { name: 'stride 1', x: [2, 2, 4, 4], w: [2, 3, 3, 3], attrs: { pads: ints([1, 1, 1, 1]) } },
    { name: 'output_shape', x: [1, 2, 3, 3], w: [2, 2, 3, 3], attrs: { strides: ints([2, 2]), output_shape: ints([6, 6]) } },
    { name: 'auto_pad SAME_UPPER', x: [1, 2, 3, 3], w: [2, 2, 4, 4], attrs: { strides: ints([2, 2]), auto_pad: str('SAME_UPPER') } },
    { name: 'auto_pad SAME_LOWER', x: [1, 2, 3, 3], w: [2, 2, 3, 3], attrs: { strides: ints([2, 2]), auto_pad: str('SAME_LOWER') } },
  ];
  for (const c of cases) {
    it(c.name, () =>
      expectGradient({ op: 'ConvTranspose', inputs: [{ dims: c.x }, { dims: c.w, role: 'const' }], attrs: c.attrs, type: 'float32', eps: 0.5, atol: 1e-3, rtol: 1e-4 }),
    );
  }
});
