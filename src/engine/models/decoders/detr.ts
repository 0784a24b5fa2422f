import { unmapBox } from '../../image/resize';
import type { HostTensor } from '../../tensor/tensor';
import type { Detection } from '../types';
import { batchSlice, numberOption, roleOutput } from './common';
import type { DecodeContext, Decoded } from './index';

/**
 * DETR: `logits` [B, Q, C+1] (the last column is "no object") and `boxes` [B, Q, 4] as
 * cx, cy, w, h normalised to the input. As DETR's PostProcess: softmax over all columns,
 * drop no-object, best class per query; queries above minScore, no NMS. `scoreActivation:
 * sigmoid` with `noObject: none` reads the sigmoid-per-class variants (Deformable DETR, RT-DETR).
 */
export function decodeDetr(outputs: Record<string, HostTensor>, ctx: DecodeContext): Decoded {
  const logits = roleOutput(outputs, ctx, 'logits');
  const boxes = roleOutput(outputs, ctx, 'boxes');
  const [q, k] = [logits.dims[1], logits.dims[2]];
  if (logits.dims.length !== 3 || boxes.dims.length !== 3 || boxes.dims[1] !== q || boxes.dims[2] !== 4) {
    throw new Error(`${ctx.model.label}: detr expects logits [B, Q, C+1] and boxes [B, Q, 4]; got [${logits.dims.join(',')}] and [${boxes.dims.join(',')}]`);
  }
  const sigmoid = ctx.options.scoreActivation === 'sigmoid';
  const classes = ctx.options.noObject === 'none' ? k : k - 1;
  const minScore = numberOption(ctx, 'minScore', 0.5);
  const l = batchSlice(logits, ctx.index);
  const b = batchSlice(boxes, ctx.index);
  const [w, h] = [ctx.model.width, ctx.model.height];
  const detections: Detection[] = [];
  for (let i = 0; i < q; i++) {
    const row = l.subarray(i * k, (i + 1) * k);
    const probs = sigmoid ? row.map((v) => 1 / (1 + Math.exp(-v))) : softmax(row);
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[c] > probs[best]) best = c;
    if (!(probs[best] > minScore)) continue;
    const [cx, cy, bw, bh] = b.subarray(i * 4, i * 4 + 4);
    const box: [number, number, number, number] = [(cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h];
    detections.push({ label: ctx.model.labelOf(best), classIndex: best, score: probs[best], box: unmapBox(box, ctx.transform) });
  }
  detections.sort((a, z) => z.score - a.score);
  return { detections: detections.slice(0, numberOption(ctx, 'maxDetections', 100)) };
}

function softmax(row: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / sum);
}
