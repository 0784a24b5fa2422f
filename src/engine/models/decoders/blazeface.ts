import { unmapBox } from '../../image/resize';
import type { HostTensor } from '../../tensor/tensor';
import type { Face } from '../types';
import { batchSlice, numberOption, roleOutput } from './common';
import type { DecodeContext, Decoded } from './index';
import { nonMaxSuppression, type Box } from './nms';

/**
 * BlazeFace's six keypoints in the order the model emits them, named from the subject's point
 * of view as MediaPipe documents them: `rightEye` is the eye on the image's left in a frontal
 * photo. (The human library names them from the viewer's side: its `leftEye` is our `rightEye`.)
 */
export const BLAZEFACE_KEYPOINTS = ['rightEye', 'leftEye', 'nose', 'mouth', 'rightEar', 'leftEar'] as const;

/**
 * Anchor centres in input pixels, as the human library generates them for BlazeFace: 2
 * anchors per cell at stride size/16, then 6 per cell at stride size/8 (16 and 32 px at 256).
 */
export function blazefaceAnchors(size: number): [number, number][] {
  const spec = size === 192 ? { strides: [4], counts: [1] } : { strides: [size / 16, size / 8], counts: [2, 6] };
  const anchors: [number, number][] = [];
  spec.strides.forEach((stride, i) => {
    const cells = Math.floor((size + stride - 1) / stride);
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let n = 0; n < spec.counts[i]; n++) anchors.push([stride * (x + 0.5), stride * (y + 0.5)]);
  });
  return anchors;
}

/** The per-anchor rows [logit, cx, cy, w, h, 6 x (x, y)] of both strides, stride-16 anchors first. */
function anchorRows(outputs: Record<string, HostTensor>, ctx: DecodeContext): Float32Array[] {
  const rows: Float32Array[] = [];
  for (const stride of ['16', '32']) {
    const logits = batchSlice(roleOutput(outputs, ctx, `logits${stride}`), ctx.index);
    const boxes = roleOutput(outputs, ctx, `boxes${stride}`);
    const width = boxes.dims[boxes.dims.length - 1];
    const values = batchSlice(boxes, ctx.index);
    for (let i = 0; i < logits.length; i++) {
      const row = new Float32Array(1 + width);
      row[0] = logits[i];
      row.set(values.subarray(i * width, (i + 1) * width), 1);
      rows.push(row);
    }
  }
  return rows;
}

/** BlazeFace raw heads -> faces with boxes and six named keypoints in original-image pixels. */
export function decodeBlazeFace(outputs: Record<string, HostTensor>, ctx: DecodeContext): Decoded {
  const size = ctx.model.width;
  const anchors = blazefaceAnchors(size);
  const rows = anchorRows(outputs, ctx);
  if (rows.length !== anchors.length) throw new Error(`blazeface: ${rows.length} anchor rows but ${anchors.length} anchors for a ${size}px input`);
  const boxes: Box[] = rows.map((r, i) => {
    const [cx, cy] = [r[1] + anchors[i][0], r[2] + anchors[i][1]];
    const [hw, hh] = [r[3] / 2, r[4] / 2];
    return [cx - hw, cy - hh, cx + hw, cy + hh];
  });
  const scores = rows.map((r) => 1 / (1 + Math.exp(-r[0])));
  const kept = nonMaxSuppression(boxes, scores, numberOption(ctx, 'maxFaces', 20), numberOption(ctx, 'iouThreshold', 0.1), numberOption(ctx, 'minScore', 0.2));
  const faces: Face[] = kept.map((i) => {
    const r = rows[i];
    const keypoints = BLAZEFACE_KEYPOINTS.map((name, k) => {
      const [x, y] = unmapPoint(r[5 + 2 * k] + anchors[i][0], r[6 + 2 * k] + anchors[i][1], ctx);
      return { name, x, y };
    });
    return { score: scores[i], box: unmapBox(boxes[i], ctx.transform), keypoints };
  });
  return { faces };
}

function unmapPoint(x: number, y: number, ctx: DecodeContext): [number, number] {
  const t = ctx.transform;
  return [(x - t.offsetX) / t.scaleX, (y - t.offsetY) / t.scaleY];
}
