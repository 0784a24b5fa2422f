import type { Head } from '../manifest';
import { backgroundColumn } from './ssd';

/**
 * Where a detector head keeps its class scores, for losses that read them in the graph: the
 * output, the axis that indexes classes, the offset of class 0 on it, the objectness channel
 * (YOLOv5) and the activation still to apply (DETR's softmax over logits).
 */
export interface ScoreLayout {
  /** Role of the output in the head (`output`, `scores`, `logits`, `heatmap`). */
  role: string;
  output: string;
  axis: number;
  classOffset: number;
  objectness?: number;
  activation?: 'softmax' | 'sigmoid';
  /** Whether scores lie on a spatial map (CenterNet) rather than a flat list of anchors/queries. */
  spatial: boolean;
}

/** The score layout of a detector head, given the rank-3 score output's last dim; undefined for decoders without one. */
export function scoreLayout(head: Extract<Head, { kind: 'detector' }>, lastDim?: number): ScoreLayout | undefined {
  const out = (role: string) => head.outputs[role];
  switch (head.decoder) {
    case 'yolo-v5':
      return out('output') ? { role: 'output', output: out('output'), axis: 2, classOffset: 5, objectness: 4, spatial: false } : undefined;
    case 'yolo-v8':
    case 'yolo-v11':
      return out('output') ? { role: 'output', output: out('output'), axis: 1, classOffset: 4, spatial: false } : undefined;
    case 'ssd': {
      if (!out('scores')) return undefined;
      const act = head.options.scoreActivation;
      const bg = backgroundColumn(head.options, lastDim ?? 0);
      return { role: 'scores', output: out('scores'), axis: 2, classOffset: bg === 0 ? 1 : 0, spatial: false, ...(act === 'softmax' || act === 'sigmoid' ? { activation: act } : {}) };
    }
    case 'detr':
      return out('logits') ? { role: 'logits', output: out('logits'), axis: 2, classOffset: 0, activation: head.options.scoreActivation === 'sigmoid' ? 'sigmoid' : 'softmax', spatial: false } : undefined;
    default:
      return undefined;
  }
}
