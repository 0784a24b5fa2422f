import { UserError } from '../../errors';
import type { GradientOracle, LossSpec } from '../../autodiff/oracle';
import type { ScoreLayout } from '../../models/decoders/layout';
import type { Detection } from '../../models/types';
import type { FloatTensor } from '../../tensor/tensor';

/** What a model says about one rendered view, in model-input pixels. */
export interface TargetPrediction {
  detections?: Detection[];
  /**
   * Detectors, when asked (`ranked`): every detection down to a low score, as COCO's evaluation
   * ranks them for AP (decoders/index.ts RANKING_OPTIONS); `detections` stays what the head shows.
   */
  ranked?: Detection[];
  /** Classifier: probabilities of the top classes. */
  top?: { index: number; prob: number }[];
  embedding?: Float32Array;
}

export type TargetTask = 'classifier' | 'detector' | 'embedding';

/**
 * The model under attack, as the physical attacks see it: pixel-space in, a gradient oracle
 * for a loss, and predictions for judging success. `targetFromModel` builds one from a zoo
 * model; tests build small ones in TypeScript.
 */
export interface AttackTarget {
  readonly name: string;
  /** Content hash of the model bytes (run.json records it). */
  readonly hash: string;
  readonly width: number;
  readonly height: number;
  readonly task: TargetTask;
  readonly labels: readonly string[];
  /** Differentiable outputs by role: `heatmap` (detector class scores), `logits`, `embedding`. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Detector: score at which a detection counts; embedding: cosine at which two faces match. */
  readonly threshold: number;
  /** How scenes are fitted to the input (the model's manifest); stretch when absent. */
  readonly resize?: 'stretch' | 'letterbox';
  /** Layout of a detector heatmap: which axis holds the classes. */
  classAxis(output: string): Promise<number>;
  /** Detectors whose scores are a flat list of anchors or queries (YOLO, SSD, DETR): where each class's score lives. Undefined for heatmap heads. */
  scoreLayout?(): Promise<ScoreLayout | undefined>;
  createOracle(loss: LossSpec, outputs: readonly string[]): Promise<GradientOracle>;
  predict(pixels: FloatTensor, options?: { ranked?: boolean }): Promise<TargetPrediction[]>;
}

export function classIndex(target: AttackTarget, name: string, flag = '--class'): number {
  const byName = target.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
  if (byName >= 0) return byName;
  const asNumber = Number(name);
  if (Number.isInteger(asNumber) && asNumber >= 0 && (target.labels.length === 0 || asNumber < target.labels.length)) return asNumber;
  const known = target.labels.slice(0, 12).join(', ');
  throw new UserError(`${flag}: '${name}' is not a class of ${target.name}${known ? ` (e.g. ${known}${target.labels.length > 12 ? ', ...' : ''})` : ''}`);
}
