import type { HostTensor } from '../../tensor/tensor';
import { batchSlice, numberOption, roleOutput } from './common';
import type { DecodeContext, Decoded } from './index';
import type { Box } from './nms';
import { finishCandidates, type Candidate } from './yolo';

type BoxFormat = 'xyxy' | 'yxyx' | 'cxcywh';

function stringOption<T extends string>(ctx: DecodeContext, name: string, allowed: readonly T[], fallback: T): T {
  const v = ctx.options[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new Error(`${ctx.model.label}: head option ${name} '${String(v)}' is not one of ${allowed.join(', ')}`);
  return v as T;
}

/** Where a score tensor keeps its background column (none for sigmoid-per-class exports). */
export function backgroundColumn(options: Record<string, unknown>, width: number): number | undefined {
  const b = options.background ?? 'first';
  return b === 'none' ? undefined : b === 'last' ? width - 1 : 0;
}

function activate(row: Float32Array, kind: string): Float32Array {
  if (kind === 'sigmoid') return row.map((v) => 1 / (1 + Math.exp(-v)));
  if (kind !== 'softmax') return row;
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / sum);
}

/**
 * SSD as exported: `boxes` [B, N, 4] and `scores` [B, N, K] (K = classes, plus a background
 * column unless `background: none`). Boxes are decoded (`boxFormat`, normalised unless
 * `normalized: false`) or, with `anchors` ([cx, cy, w, h] normalised, one per row), raw
 * offsets decoded as SSD does: centre = a + d * v0 * a_wh, size = a_wh * exp(d * v1).
 * Then every (box, class) above minScore, NMS per class (torchvision's SSD post-processing).
 */
export function decodeSsd(outputs: Record<string, HostTensor>, ctx: DecodeContext): Decoded {
  const boxes = roleOutput(outputs, ctx, 'boxes');
  const scores = roleOutput(outputs, ctx, 'scores');
  const n = boxes.dims[1];
  const k = scores.dims[2];
  if (boxes.dims.length !== 3 || boxes.dims[2] !== 4 || scores.dims.length !== 3 || scores.dims[1] !== n) {
    throw new Error(`${ctx.model.label}: ssd expects boxes [B, N, 4] and scores [B, N, K]; got [${boxes.dims.join(',')}] and [${scores.dims.join(',')}]`);
  }
  const format = stringOption<BoxFormat>(ctx, 'boxFormat', ['xyxy', 'yxyx', 'cxcywh'], 'xyxy');
  const activation = stringOption(ctx, 'scoreActivation', ['none', 'softmax', 'sigmoid'] as const, 'none');
  const anchors = ctx.options.anchors as number[][] | undefined;
  if (anchors && anchors.length !== n) throw new Error(`${ctx.model.label}: ${anchors.length} anchors for ${n} boxes`);
  const variances = (ctx.options.variances as number[] | undefined) ?? [0.1, 0.2];
  const normalised = ctx.options.normalized !== false;
  const [sx, sy] = normalised ? [ctx.model.width, ctx.model.height] : [1, 1];
  const background = backgroundColumn(ctx.options, k);
  const minScore = numberOption(ctx, 'minScore', 0.25);
  const b = batchSlice(boxes, ctx.index);
  const s = batchSlice(scores, ctx.index);
  const candidates: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const row = activate(s.subarray(i * k, (i + 1) * k), activation);
    let box: Box | undefined;
    for (let c = 0; c < k; c++) {
      if (c === background || !(row[c] > minScore)) continue;
      box ??= readBox(b.subarray(i * 4, i * 4 + 4), format, anchors?.[i], variances, sx, sy);
      const classIndex = background === 0 ? c - 1 : c;
      candidates.push({ box, score: row[c], classIndex });
    }
  }
  return { detections: finishCandidates(candidates, ctx, numberOption(ctx, 'iouThreshold', 0.45), numberOption(ctx, 'maxDetections', 100)) };
}

function readBox(v: Float32Array, format: BoxFormat, anchor: number[] | undefined, variances: number[], sx: number, sy: number): Box {
  if (anchor) {
    const [acx, acy, aw, ah] = anchor;
    const cx = acx + v[0] * variances[0] * aw;
    const cy = acy + v[1] * variances[0] * ah;
    const w = aw * Math.exp(v[2] * variances[1]);
    const h = ah * Math.exp(v[3] * variances[1]);
    return [(cx - w / 2) * sx, (cy - h / 2) * sy, (cx + w / 2) * sx, (cy + h / 2) * sy];
  }
  if (format === 'yxyx') return [v[1] * sx, v[0] * sy, v[3] * sx, v[2] * sy];
  if (format === 'cxcywh') return [(v[0] - v[2] / 2) * sx, (v[1] - v[3] / 2) * sy, (v[0] + v[2] / 2) * sx, (v[1] + v[3] / 2) * sy];
  return [v[0] * sx, v[1] * sy, v[2] * sx, v[3] * sy];
}
