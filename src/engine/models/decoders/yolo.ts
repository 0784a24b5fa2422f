import { unmapBox } from '../../image/resize';
import type { HostTensor } from '../../tensor/tensor';
import type { Detection } from '../types';
import { batchSlice, numberOption, roleOutput } from './common';
import type { DecodeContext, Decoded } from './index';
import { classwiseNms, type Box } from './nms';

/** A candidate box in model-input pixels with its best class. */
export interface Candidate {
  box: Box;
  score: number;
  classIndex: number;
}

/** Ultralytics' thresholds: conf 0.25, IoU 0.45, at most 300 boxes. */
function thresholds(ctx: DecodeContext): { minScore: number; iou: number; max: number } {
  return { minScore: numberOption(ctx, 'minScore', 0.25), iou: numberOption(ctx, 'iouThreshold', 0.45), max: numberOption(ctx, 'maxDetections', 300) };
}

function xywhBox(cx: number, cy: number, w: number, h: number): Box {
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/**
 * YOLOv5 as ultralytics exports it: [B, N, 5+C] rows of cx, cy, w, h (input pixels),
 * objectness and class scores, all after sigmoid. As its non_max_suppression does: rows with
 * objectness above the threshold, score = objectness x best class score, per-class NMS.
 */
export function yoloV5Candidates(output: HostTensor, index: number, minScore: number): Candidate[] {
  const rows = output.dims[1];
  const width = output.dims[2];
  const data = batchSlice(output, index);
  const out: Candidate[] = [];
  for (let n = 0; n < rows; n++) {
    const r = n * width;
    const obj = data[r + 4];
    if (!(obj > minScore)) continue;
    let best = -Infinity;
    let cls = 0;
    for (let c = 5; c < width; c++) {
      if (data[r + c] > best) {
        best = data[r + c];
        cls = c - 5;
      }
    }
    const score = obj * best;
    if (score > minScore) out.push({ box: xywhBox(data[r], data[r + 1], data[r + 2], data[r + 3]), score, classIndex: cls });
  }
  return out;
}

/** YOLOv8 / v11 as ultralytics exports them: [B, 4+C, N] columns of cx, cy, w, h and class scores (no objectness). */
export function yoloV8Candidates(output: HostTensor, index: number, minScore: number): Candidate[] {
  const channels = output.dims[1];
  const anchors = output.dims[2];
  const data = batchSlice(output, index);
  const out: Candidate[] = [];
  for (let n = 0; n < anchors; n++) {
    let best = -Infinity;
    let cls = 0;
    for (let c = 4; c < channels; c++) {
      const v = data[c * anchors + n];
      if (v > best) {
        best = v;
        cls = c - 4;
      }
    }
    if (best > minScore) out.push({ box: xywhBox(data[n], data[anchors + n], data[2 * anchors + n], data[3 * anchors + n]), score: best, classIndex: cls });
  }
  return out;
}

/** Per-class NMS over candidates, best first, boxes mapped back to the original image. */
export function finishCandidates(candidates: Candidate[], ctx: DecodeContext, iou: number, max: number): Detection[] {
  const kept = classwiseNms(
    candidates.map((c) => c.box),
    candidates.map((c) => c.score),
    candidates.map((c) => c.classIndex),
    max,
    iou,
  );
  return kept.map((i) => {
    const c = candidates[i];
    return { label: ctx.model.labelOf(c.classIndex), classIndex: c.classIndex, score: c.score, box: unmapBox(c.box, ctx.transform) };
  });
}

export function decodeYoloV5(outputs: Record<string, HostTensor>, ctx: DecodeContext): Decoded {
  const t = thresholds(ctx);
  const output = roleOutput(outputs, ctx, 'output');
  if (output.dims.length !== 3 || output.dims[2] < 6) throw new Error(`${ctx.model.label}: yolo-v5 expects [B, N, 5+C]; got [${output.dims.join(',')}]`);
  return { detections: finishCandidates(yoloV5Candidates(output, ctx.index, t.minScore), ctx, t.iou, t.max) };
}

export function decodeYoloV8(outputs: Record<string, HostTensor>, ctx: DecodeContext): Decoded {
  const t = thresholds(ctx);
  const output = roleOutput(outputs, ctx, 'output');
  if (output.dims.length !== 3 || output.dims[1] < 5) throw new Error(`${ctx.model.label}: yolo-v8 expects [B, 4+C, N]; got [${output.dims.join(',')}]`);
  return { detections: finishCandidates(yoloV8Candidates(output, ctx.index, t.minScore), ctx, t.iou, t.max) };
}
