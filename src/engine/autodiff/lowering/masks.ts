import type { Emitter, FloatType } from '../emitter';

/**
 * Gradient masks of Relu and Clip written with ops onnxruntime keeps in its blocked NCHWc
 * layout (depthwise 1x1 Conv with a fused Clip, Mul), so the backward pass does not have to
 * convert every activation out of and back into that layout. Comparisons (Greater, Where)
 * would force those conversions.
 *
 * The step function [v > 0] for v >= 0 is Clip(2^120 v, 0, 1): multiplying by a power of two
 * is exact, so every v >= 2^-120 maps to exactly 1 and v = 0 to exactly 0 (overflow to +inf
 * clips to 1). Only values in (0, 2^-120), below float32's normal range, would get a
 * fractional mask.
 */
const STEP_SCALE = 2 ** 120;

/** Channel count for which the affine masks apply (4-D float32, channels in NCHWc blocks). */
export function affineMaskChannels(shape: readonly number[], type: FloatType): number | undefined {
  if (type !== 'float32' || shape.length !== 4 || shape[1] % 8 !== 0) return undefined;
  return shape[1];
}

/** w * v + b per channel, as a depthwise 1x1 Conv; with `clip`, followed by a (fusable) Clip. */
function channelAffine(emit: Emitter, v: string, channels: number, w: number, b: number, clip?: [number, number]): string {
  const weight = emit.floatConst(new Float32Array(channels).fill(w), [channels, 1, 1, 1], 'float32', 'mask_w');
  const bias = emit.floatConst(new Float32Array(channels).fill(b), [channels], 'float32', 'mask_b');
  const out = emit.op('Conv', [v, weight, bias], { group: { type: 'int', value: channels }, kernel_shape: { type: 'ints', value: [1, 1] } });
  return clip ? emit.op('Clip', [out, emit.scalar(clip[0]), emit.scalar(clip[1])]) : out;
}

/** value * [v > 0] for v >= 0, as a float tensor (value 1 by default). */
export function positiveMask(emit: Emitter, v: string, channels: number, value = 1): string {
  return channelAffine(emit, v, channels, STEP_SCALE, 0, [0, value]);
}

/**
 * value * [lo < y < hi] for y = Clip(x, lo, hi): (y - lo)(hi - y) is zero exactly at the bounds
 * and positive between them. A `value` other than 1 folds a constant slope (HardSigmoid's alpha)
 * into the mask's clip instead of a separate multiply.
 */
export function insideMask(emit: Emitter, y: string, channels: number, lo: number, hi: number, value = 1): string {
  const above = lo === 0 ? y : channelAffine(emit, y, channels, 1, -lo);
  const below = channelAffine(emit, y, channels, -1, hi);
  return positiveMask(emit, emit.mul(above, below), channels, value);
}

/**
 * HardSwish's slope at x (0 below -3, 1 above 3, x/3 + 1/2 between, as PyTorch) in the blocked
 * layout: the clipped ramp clip(x/3 + 1/2, -1/2, 3/2) is right between the kinks, and two step
 * terms, 1/2 [x < -3] and -1/2 [x > 3] (the 2^120 steps of positiveMask), bring the ends to 0
 * and 1. At x = +-3 exactly it gives the ramp's value, as PyTorch's strict comparisons do.
 */
export function hardSwishSlope(emit: Emitter, x: string, channels: number): string {
  const ramp = channelAffine(emit, x, channels, 1 / 3, 0.5, [-0.5, 1.5]);
  const low = channelAffine(emit, x, channels, -STEP_SCALE, -3 * STEP_SCALE, [0, 0.5]);
  const high = channelAffine(emit, x, channels, -STEP_SCALE, 3 * STEP_SCALE, [-0.5, 0]);
  return emit.sum([ramp, low, high]);
}
