import type { ResizeTransform } from '../../image/resize';
import type { HostTensor } from '../../tensor/tensor';
import type { LoadedModel } from '../loaded';
import type { Detection, Face } from '../types';
import { decodeBlazeFace } from './blazeface';
import { decodeCenterNet } from './centernet';
import { decodeDetr } from './detr';
import { decodeNanoDet } from './nanodet';
import { decodeSsd } from './ssd';
import { decodeYoloV5, decodeYoloV8 } from './yolo';

export interface DecodeContext {
  model: LoadedModel;
  /** Index into the batch. */
  index: number;
  /** Maps model-input pixels back to the original image. */
  transform: ResizeTransform;
  /** Original image size. */
  width: number;
  height: number;
  options: Record<string, unknown>;
}

export interface Decoded {
  detections?: Detection[];
  faces?: Face[];
}

export type Decoder = (outputs: Record<string, HostTensor>, ctx: DecodeContext) => Decoded;

/**
 * Decoder options that rank detections for AP as COCO's evaluation does: every box down to a
 * score of 0.001 (ultralytics' `val` default; mmdetection/NanoDet use 0.05), at most 100 per
 * image (COCO's maxDets), not only those above the head's display threshold.
 */
export const RANKING_OPTIONS = { minScore: 0.001, maxDetections: 100, topK: 100 } as const;

/** Detector decoders by the name a manifest's `head.decoder` uses; add new ones here. */
const DECODERS: Record<string, Decoder> = {
  centernet: decodeCenterNet,
  blazeface: decodeBlazeFace,
  'yolo-v5': decodeYoloV5,
  'yolo-v8': decodeYoloV8,
  /** YOLO11 exports the same [B, 4+C, N] layout as YOLOv8. */
  'yolo-v11': decodeYoloV8,
  ssd: decodeSsd,
  detr: decodeDetr,
  nanodet: decodeNanoDet,
};

export function getDecoder(name: string): Decoder | undefined {
  return Object.hasOwn(DECODERS, name) ? DECODERS[name] : undefined;
}

export function decoderNames(): string[] {
  return Object.keys(DECODERS);
}
