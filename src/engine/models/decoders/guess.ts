import type { Dim } from '../../onnx/ir';
import type { Head } from '../manifest';

export interface OutputShape {
  name: string;
  shape?: Dim[];
}

export interface HeadGuess {
  head: Extract<Head, { kind: 'detector' }>;
  /** One line saying what was recognised, e.g. "yolo-v8: output0 [1,84,8400] = [B, 4+80, N]". */
  reason: string;
}

const known = (d: Dim | undefined): d is number => typeof d === 'number';
const show = (o: OutputShape): string => `${o.name} [${(o.shape ?? []).map((d) => d ?? '?').join(',')}]`;

/**
 * Recognises a detector from its output shapes alone, as the exporters lay them out:
 * one [B, N, 5+C] output with N > 5+C (YOLOv5: xywh, objectness, classes), one [B, 4+C, N]
 * with N > 4+C (YOLOv8/v11), or a [B, N, K] / [B, N, 4] pair (DETR when the class output is
 * named like logits or N <= 300 queries, SSD otherwise). Undefined when nothing fits: the
 * caller keeps its own default and flags say the rest.
 */
export function guessDetectorHead(outputs: readonly OutputShape[]): HeadGuess | undefined {
  const threeD = outputs.filter((o) => o.shape?.length === 3 && known(o.shape[1]) && known(o.shape[2]));
  if (outputs.length === 1 && threeD.length === 1) {
    const o = threeD[0];
    const [a, b] = [o.shape?.[1] as number, o.shape?.[2] as number];
    if (a < b && a >= 5) return { head: detector('yolo-v8', { output: o.name }), reason: `yolo-v8: ${show(o)} read as [B, 4+${a - 4} classes, ${b} anchors]` };
    if (a > b && b >= 6) return { head: detector('yolo-v5', { output: o.name }), reason: `yolo-v5: ${show(o)} read as [B, ${a} anchors, 5+${b - 5} classes]` };
    return undefined;
  }
  if (outputs.length === 2 && threeD.length === 2) {
    // Both may end in 4 (a 3-class DETR): a name saying boxes decides, else the one that ends in 4.
    const boxes = threeD.find((o) => o.shape?.[2] === 4 && /box|loc|bbox/i.test(o.name)) ?? threeD.find((o) => o.shape?.[2] === 4);
    const scores = threeD.find((o) => o !== boxes);
    if (!boxes || !scores || scores.shape?.[1] !== boxes.shape?.[1]) return undefined;
    const n = boxes.shape?.[1] as number;
    const k = scores.shape?.[2] as number;
    const logitsNamed = /logit/i.test(scores.name);
    if (logitsNamed || (n <= 300 && !/score|conf|prob/i.test(scores.name))) {
      return { head: detector('detr', { logits: scores.name, boxes: boxes.name }), reason: `detr: ${show(scores)} as [B, ${n} queries, ${k - 1} classes + no-object], ${show(boxes)} as cxcywh in [0,1]` };
    }
    return { head: detector('ssd', { boxes: boxes.name, scores: scores.name }), reason: `ssd: ${show(boxes)} as decoded x1,y1,x2,y2 in [0,1], ${show(scores)} as [B, N, background + ${k - 1} classes] (give --anchors for raw offsets)` };
  }
  return undefined;
}

/** The score at which each family's own tools keep a box (ultralytics 0.25, DETR's demo 0.5): attacks and evaluation judge at it. */
export const DEFAULT_MIN_SCORE: Record<string, number> = { 'yolo-v5': 0.25, 'yolo-v8': 0.25, 'yolo-v11': 0.25, ssd: 0.25, detr: 0.5 };

function detector(decoder: string, outputs: Record<string, string>): Extract<Head, { kind: 'detector' }> {
  return { kind: 'detector', decoder, outputs, options: { minScore: DEFAULT_MIN_SCORE[decoder] } };
}
