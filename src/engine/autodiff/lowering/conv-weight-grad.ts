import type { Emitter } from '../emitter';
import { int, ints } from '../emitter';

export interface ConvWeightGradRequest {
  emit: Emitter;
  /** The forward input X [N, C, ...inSize]. */
  x: string;
  inShape: number[];
  /** d(loss)/d(Y) [N, M, ...outSize]. */
  dy: string;
  outShape: number[];
  /** W's shape [M, C/g, ...kernel]. */
  weightDims: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  group: number;
}

/**
 * d(loss)/d(W) of Y = Conv(X, W) as one more Conv, per group: with the batch axis moved to the
 * channel slot, dW[m, c] = sum_n X[n, c] (*) dY[n, m] is a convolution of X^T by dY^T whose stride
 * is the forward dilation and whose dilation is the forward stride. Its output can be larger than
 * the kernel (rows no window read), so it is cut to the kernel. Runs as ORT's multi-threaded Conv.
 */
export function convWeightGrad(r: ConvWeightGradRequest): string {
  const { emit, group } = r;
  const rank = r.inShape.length;
  const kernel = r.weightDims.slice(2);
  const swap = [1, 0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  const inPerGroup = r.inShape[1] / group;
  const outPerGroup = r.weightDims[0] / group;
  const spatial = kernel.map((_, i) => i + 2);
  // Pad the end so the extended Conv covers every tap; extra output rows are sliced off below.
  const padsEnd = kernel.map((k, i) => Math.max(0, (k - 1) * r.dilations[i] + r.strides[i] * (r.outShape[i + 2] - 1) + 1 - r.inShape[i + 2] - r.padsBegin[i]));
  const parts: string[] = [];
  for (let g = 0; g < group; g++) {
    const xg = group === 1 ? r.x : emit.slice(r.x, [g * inPerGroup], [(g + 1) * inPerGroup], [1]);
    const dyg = group === 1 ? r.dy : emit.slice(r.dy, [g * outPerGroup], [(g + 1) * outPerGroup], [1]);
    const full = emit.op('Conv', [emit.transpose(xg, swap), emit.transpose(dyg, swap)], {
      strides: ints(r.dilations),
      dilations: ints(r.strides),
      kernel_shape: ints(r.outShape.slice(2)),
      pads: ints([...r.padsBegin, ...padsEnd]),
      group: int(1),
    });
    // full is [C/g, M/g, ...>= kernel]; the kernel taps are its first `kernel` positions.
    const cut = emit.slice(full, kernel.map(() => 0), kernel, spatial);
    parts.push(emit.transpose(cut, swap));
  }
  return emit.concat(parts, 0);
}

/** d(loss)/d(B) of a per-channel bias added on axis 1: the sum of dY over every other axis. */
export function channelBiasGrad(emit: Emitter, dy: string, rank: number): string {
  return emit.reduceSum(dy, [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)], false);
}
