import { describe, it } from 'vitest';
import { expectGradient, float, str } from '../gradcheck';

// Resize is linear in its input (float32 only in onnxruntime): a large step keeps differences exact.
const lin = { type: 'float32' as const, eps: 0.5, atol: 1e-3, rtol: 1e-4 };

function resize(attrs: Record<string, string>, opts: { scales?: number[]; sizes?: number[]; x?: number[]; extra?: Record<string, ReturnType<typeof float>> }) {
  const x = opts.x ?? [1, 2, 4, 5];
  return expectGradient({
    op: 'Resize',
    inputs: [
      { dims: x },
      { dims: [], role: 'skip' },
      opts.scales ? { dims: [4], role: 'const', values: opts.scales } : { dims: [], role: 'skip' },
      ...(opts.sizes ? [{ dims: [4], role: 'int' as const, values: opts.sizes }] : []),
    ],
    attrs: { ...Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, str(v)])), ...opts.extra },
    ...lin,
  });
}

describe('gradient rule: Resize', () => {
  it('nearest x2 (asymmetric, floor): block sums', () => resize({ mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, { scales: [1, 1, 2, 2] }));
  it('nearest, half_pixel, round_prefer_floor, non-integer sizes', () => resize({ mode: 'nearest' }, { sizes: [1, 2, 7, 3] }));
  it('nearest, round_prefer_ceil and ceil modes', async () => {
    await resize({ mode: 'nearest', nearest_mode: 'round_prefer_ceil' }, { scales: [1, 1, 1.5, 2.5] });
    await resize({ mode: 'nearest', nearest_mode: 'ceil', coordinate_transformation_mode: 'tf_half_pixel_for_nn' }, { scales: [1, 1, 2, 1.5] });
  });
  it('linear half_pixel x2 (detector necks, TF.js resizeBilinear)', () => resize({ mode: 'linear', coordinate_transformation_mode: 'half_pixel' }, { scales: [1, 1, 2, 2] }));
  it('linear align_corners, asymmetric and pytorch_half_pixel', async () => {
    await resize({ mode: 'linear', coordinate_transformation_mode: 'align_corners' }, { sizes: [1, 2, 9, 7] });
    await resize({ mode: 'linear', coordinate_transformation_mode: 'asymmetric' }, { scales: [1, 1, 2, 3] });
    await resize({ mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }, { sizes: [1, 2, 1, 8] });
  });
  it('linear downscaling', () => resize({ mode: 'linear' }, { sizes: [1, 2, 3, 2], x: [1, 2, 7, 5] }));
  it('cubic, with and without exclude_outside', async () => {
    await resize({ mode: 'cubic' }, { scales: [1, 1, 2, 1.5] });
    await resize({ mode: 'cubic', coordinate_transformation_mode: 'align_corners' }, { sizes: [1, 2, 6, 9], extra: { exclude_outside: { type: 'int', value: 1 } as never } });
  });
  it('resizes a 3-D tensor along its middle axis', () =>
    expectGradient({ op: 'Resize', inputs: [{ dims: [2, 3, 4] }, { dims: [], role: 'skip' }, { dims: [3], role: 'const', values: [1, 2, 1] }], attrs: { mode: str('linear') }, ...lin }));
});
