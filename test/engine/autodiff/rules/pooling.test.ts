import { describe, it } from 'vitest';
import type { Attrs } from '../../../../src/engine/autodiff/emitter';
import type { LoweringOptions } from '../../../../src/engine/autodiff/lowering/options';
import { distinct, expectGradient, int, ints } from '../gradcheck';

// Max-type ops are checked on a shuffled grid of distinct values 0.01 apart with a step far
// below that, so no window's argmax changes under the perturbation.
const maxCheck = { type: 'float32' as const, eps: 1e-3, atol: 2e-3, rtol: 1e-3 };

describe('gradient rule: MaxPool and GlobalMaxPool', () => {
  const x = (dims: number[]) => ({ dims, values: distinct(dims.reduce((a, b) => a * b, 1)) });
  it('2x2 stride 2 (non-overlapping: MaxUnpool)', () => expectGradient({ op: 'MaxPool', inputs: [x([2, 3, 6, 6])], attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }, ...maxCheck }));
  it('3x3 stride 2 pad 1 (overlapping: scatter-add)', () =>
    expectGradient({ op: 'MaxPool', inputs: [x([2, 2, 7, 7])], attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }, ...maxCheck }));
  it('3x3 stride 1 pad 1 and ceil_mode', async () => {
    await expectGradient({ op: 'MaxPool', inputs: [x([1, 2, 5, 5])], attrs: { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) }, ...maxCheck });
    await expectGradient({ op: 'MaxPool', inputs: [x([1, 2, 7, 7])], attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) }, ...maxCheck });
  });
  it('with its Indices output in the forward graph', () =>
    expectGradient({ op: 'MaxPool', inputs: [x([1, 2, 4, 4])], attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }, outputs: 2, ...maxCheck }));
  it('GlobalMaxPool', () => expectGradient({ op: 'GlobalMaxPool', inputs: [x([2, 3, 4, 5])], ...maxCheck }));
});

describe('gradient rule: AveragePool and GlobalAveragePool (linear, float32)', () => {
  const lin = { type: 'float32' as const, eps: 0.5, atol: 1e-3, rtol: 1e-4 };
  const lowerings: Partial<LoweringOptions>[] = [{ stridedDepthwise: 'phase', stridedMinChannels: 1 }, { stridedDepthwise: 'convtranspose', stride1: 'convtranspose' }];
  const cases: { name: string; attrs: Attrs; x: number[] }[] = [
    { name: '2x2 stride 2', attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }, x: [2, 3, 6, 6] },
    { name: '3x3 stride 2 pad 1, pads not counted', attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }, x: [1, 2, 7, 7] },
    { name: '3x3 stride 2 pad 1, pads counted', attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), count_include_pad: int(1) }, x: [1, 2, 7, 7] },
    { name: '3x3 stride 1 pad 1', attrs: { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) }, x: [1, 2, 5, 5] },
    { name: '2x2 stride 2 ceil_mode', attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) }, x: [1, 2, 5, 5] },
    { name: '3x3 stride 2 ceil_mode pads counted', attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1), count_include_pad: int(1) }, x: [1, 2, 6, 6] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      for (const lowering of lowerings) await expectGradient({ op: 'AveragePool', inputs: [{ dims: c.x }], attrs: c.attrs, lowering, ...lin });
    });
  }
  it('GlobalAveragePool', () => expectGradient({ op: 'GlobalAveragePool', inputs: [{ dims: [2, 3, 4, 5] }], ...lin }));
});

describe('gradient rules: reductions (float64)', () => {
  const x = (dims: number[]) => ({ dims, values: distinct(dims.reduce((a, b) => a * b, 1)) });
  it('ReduceSum with axes as an input, keepdims 0', () => expectGradient({ op: 'ReduceSum', inputs: [{ dims: [2, 3, 4] }, { dims: [1], role: 'int', values: [1] }], attrs: { keepdims: int(0) } }));
  it('ReduceMean over two axes and over everything', async () => {
    await expectGradient({ op: 'ReduceMean', inputs: [{ dims: [2, 3, 4] }], attrs: { axes: ints([0, 2]) } });
    await expectGradient({ op: 'ReduceMean', inputs: [{ dims: [2, 3] }], attrs: { keepdims: int(0) } });
  });
  it('ReduceMax and ReduceMin', async () => {
    await expectGradient({ op: 'ReduceMax', inputs: [x([2, 3, 4])], attrs: { axes: ints([2]), keepdims: int(0) }, eps: 1e-4 });
    await expectGradient({ op: 'ReduceMin', inputs: [x([2, 3, 4])], attrs: { axes: ints([-1, 1]) }, eps: 1e-4 });
  });
  it('ReduceSumSquare, ReduceL2, ReduceL1, ReduceLogSumExp', async () => {
    await expectGradient({ op: 'ReduceSumSquare', inputs: [{ dims: [2, 3] }], attrs: { axes: ints([1]) } });
    await expectGradient({ op: 'ReduceL2', inputs: [{ dims: [2, 3] }], attrs: { axes: ints([1]) } });
    await expectGradient({ op: 'ReduceL1', inputs: [x([2, 3])], attrs: { axes: ints([0]) }, eps: 1e-4 });
    await expectGradient({ op: 'ReduceLogSumExp', inputs: [{ dims: [2, 3] }], attrs: { axes: ints([1]) } });
  });
});
