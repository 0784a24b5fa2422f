import { unmapBox } from '../../image/resize';
import type { HostTensor } from '../../tensor/tensor';
import type { Detection } from '../types';
import { batchSlice, numberOption, roleOutput } from './common';
import type { DecodeContext, Decoded } from './index';
import { nonMaxSuppression, type Box } from './nms';

export interface CenterNetCandidate {
  /** Box in model-input pixels. */
  box: Box;
  score: number;
  classIndex: number;
}

/**
 * The tail of the CenterNet graph, in JS: class-heatmap peaks (a value equal to the max of
 * its 3x3 neighbourhood), the `topK` best over all positions and classes, and boxes from
 * the size head as [x*s - l, y*s - t, x*s + r, y*s + b] with s the heatmap stride.
 */
export function centernetCandidates(heatmap: Float32Array, sizes: Float32Array, dims: readonly number[], stride: number, topK: number, floor = 0): CenterNetCandidate[] {
  const [h, w, classes] = [dims[1], dims[2], dims[3]];
  const at = (y: number, x: number, c: number) => heatmap[(y * w + x) * classes + c];
  const peaks: { index: number; score: number }[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < classes; c++) {
        const v = at(y, x, c);
        if (!(v > floor)) continue;
        let isPeak = true;
        for (let dy = -1; dy <= 1 && isPeak; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w && at(yy, xx, c) > v) {
              isPeak = false;
              break;
            }
          }
        }
        if (isPeak) peaks.push({ index: (y * w + x) * classes + c, score: v });
      }
    }
  }
  peaks.sort((a, b) => b.score - a.score || a.index - b.index);
  return peaks.slice(0, topK).map(({ index, score }) => {
    const classIndex = index % classes;
    const pos = Math.floor(index / classes);
    const [x, y] = [pos % w, Math.floor(pos / w)];
    const [l, t, r, b] = sizes.subarray(pos * 4, pos * 4 + 4);
    return { box: [x * stride - l, y * stride - t, x * stride + r, y * stride + b], score, classIndex };
  });
}

/** CenterNet heatmap + sizes -> labelled boxes in original-image pixels, after NMS as human does it. */
export function decodeCenterNet(outputs: Record<string, HostTensor>, ctx: DecodeContext): Decoded {
  const heat = roleOutput(outputs, ctx, 'heatmap');
  const sizes = roleOutput(outputs, ctx, 'sizes');
  const stride = ctx.model.height / heat.dims[1];
  const minScore = numberOption(ctx, 'minScore', 0.2);
  // Peaks at or under minScore never survive NMS, so they need not be ranked at all.
  const candidates = centernetCandidates(batchSlice(heat, ctx.index), batchSlice(sizes, ctx.index), heat.dims, stride, numberOption(ctx, 'topK', 100), minScore);
  const kept = nonMaxSuppression(
    candidates.map((c) => c.box),
    candidates.map((c) => c.score),
    numberOption(ctx, 'maxDetections', 10),
    numberOption(ctx, 'iouThreshold', 0.4),
    minScore,
  );
  const detections: Detection[] = kept.map((i) => {
    const c = candidates[i];
    return { label: ctx.model.labelOf(c.classIndex), classIndex: c.classIndex, score: c.score, box: unmapBox(c.box, ctx.transform) };
  });
  return { detections };
}
