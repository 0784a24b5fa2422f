import { UserError } from '../../errors';
import { unmapBox } from '../../image/resize';
import type { HostTensor } from '../../tensor/tensor';
import type { Detection } from '../types';
import { batchSlice, numberOption, roleOutput } from './common';
import type { DecodeContext, Decoded } from './index';
import { classwiseNms, type Box } from './nms';

/** The strides of NanoDet's three output levels; the head names its outputs `scores8`, `distances8`, ... */
export const NANODET_STRIDES = [8, 16, 32] as const;

/** One output level of a GFL head: class scores [C, H, W] and side distributions [4 * bins, H, W] (one image). */
export interface GflLevel {
  scores: Float32Array;
  distances: Float32Array;
  height: number;
  width: number;
  stride: number;
}

export interface GflCandidate {
  /** Box in model-input pixels. */
  box: Box;
  score: number;
  classIndex: number;
}

/**
 * Distance of one box side from a distribution over bins 0..n-1 (GFL's `Integral`): the
 * expectation of the bin index under softmax(logits), in grid cells.
 */
export function expectedBin(logits: Float32Array, offset: number, stepBetween: number, bins: number): number {
  let max = -Infinity;
  for (let k = 0; k < bins; k++) max = Math.max(max, logits[offset + k * stepBetween]);
  let sum = 0;
  let weighted = 0;
  for (let k = 0; k < bins; k++) {
    const e = Math.exp(logits[offset + k * stepBetween] - max);
    sum += e;
    weighted += k * e;
  }
  return weighted / sum;
}

/**
 * NanoDet's GFL post-processing before NMS (nanodet/model/head/gfl_head.py `get_bboxes_single`):
 * every cell of every level is a point at ((x + 0.5) s, (y + 0.5) s); its box is that point minus
 * / plus the expected left, top, right, bottom distances times the stride s, clipped to the input.
 * Each (cell, class) scoring above `floor` is a candidate.
 */
export function gflCandidates(levels: readonly GflLevel[], classes: number, inputWidth: number, inputHeight: number, floor: number): GflCandidate[] {
  const out: GflCandidate[] = [];
  for (const level of levels) {
    const plane = level.height * level.width;
    const bins = level.distances.length / (4 * plane);
    if (!Number.isInteger(bins) || bins < 1) throw new UserError(`nanodet: a distance output of ${level.distances.length} values does not hold 4 sides on a ${level.width}x${level.height} grid`);
    for (let p = 0; p < plane; p++) {
      let box: Box | undefined;
      for (let c = 0; c < classes; c++) {
        const score = level.scores[c * plane + p];
        if (!(score > floor)) continue;
        box ??= cellBox(level, p, bins, inputWidth, inputHeight);
        out.push({ box, score, classIndex: c });
      }
    }
  }
  return out;
}

function cellBox(level: GflLevel, p: number, bins: number, inputWidth: number, inputHeight: number): Box {
  const plane = level.height * level.width;
  const s = level.stride;
  const cx = ((p % level.width) + 0.5) * s;
  const cy = (Math.floor(p / level.width) + 0.5) * s;
  const side = (k: number) => expectedBin(level.distances, k * bins * plane + p, plane, bins) * s;
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return [clip(cx - side(0), inputWidth), clip(cy - side(1), inputHeight), clip(cx + side(2), inputWidth), clip(cy + side(3), inputHeight)];
}

/** NanoDet's three levels of one batch row, read from the outputs the head maps to `scoresS` / `distancesS`. */
export function nanodetLevels(outputs: Record<string, HostTensor>, ctx: DecodeContext): GflLevel[] {
  return NANODET_STRIDES.map((stride) => {
    const scores = roleOutput(outputs, ctx, `scores${stride}`);
    const distances = roleOutput(outputs, ctx, `distances${stride}`);
    if (scores.dims.length !== 4) throw new UserError(`${ctx.model.label}: nanodet scores${stride} should be [B, C, H, W], got [${scores.dims.join(', ')}]`);
    return { scores: batchSlice(scores, ctx.index), distances: batchSlice(distances, ctx.index), height: scores.dims[2], width: scores.dims[3], stride };
  });
}

/** NanoDet scores + distributions -> labelled boxes in original-image pixels, after class-wise NMS as NanoDet does it. */
export function decodeNanoDet(outputs: Record<string, HostTensor>, ctx: DecodeContext): Decoded {
  const levels = nanodetLevels(outputs, ctx);
  const classes = roleOutput(outputs, ctx, 'scores8').dims[1];
  const candidates = gflCandidates(levels, classes, ctx.model.width, ctx.model.height, numberOption(ctx, 'minScore', 0.2));
  const kept = classwiseNms(
    candidates.map((c) => c.box),
    candidates.map((c) => c.score),
    candidates.map((c) => c.classIndex),
    numberOption(ctx, 'maxDetections', 100),
    numberOption(ctx, 'iouThreshold', 0.6),
  );
  const detections: Detection[] = kept.map((i) => {
    const c = candidates[i];
    return { label: ctx.model.labelOf(c.classIndex), classIndex: c.classIndex, score: c.score, box: unmapBox(c.box, ctx.transform) };
  });
  return { detections };
}
