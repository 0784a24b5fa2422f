import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getDecoder, type DecodeContext } from '../../../../src/engine/models/decoders/index';
import { guessDetectorHead } from '../../../../src/engine/models/decoders/guess';
import { loadModel, type LoadedModel } from '../../../../src/engine/models/loaded';
import type { Head } from '../../../../src/engine/models/manifest';
import type { Detection } from '../../../../src/engine/models/types';
import { readNpy } from '../../../../src/engine/tensor/npy';
import type { HostTensor } from '../../../../src/engine/tensor/tensor';
import { ROOT } from '../../../helpers/paths';

const DIR = join(ROOT, 'test/fixtures/detectors');
interface Reference {
  head: string;
  outputs: string[];
  anchors?: string;
  variances?: number[];
  detections: { classIndex: number; score: number; box: number[] }[];
}
const refs = JSON.parse(readFileSync(join(DIR, 'references.json'), 'utf8')) as { conf: number; iou: number; models: Record<string, Reference> };
const identity = { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 };

function fakeModel(head: Head, size = 64): LoadedModel {
  return { label: 'test', width: size, height: size, head, labelOf: (i: number) => `c${i}` } as unknown as LoadedModel;
}

function decode(head: Extract<Head, { kind: 'detector' }>, outputs: Record<string, HostTensor>, model = fakeModel(head)): Detection[] {
  const ctx: DecodeContext = { model, index: 0, transform: identity, width: model.width, height: model.height, options: head.options };
  return getDecoder(head.decoder)?.(outputs, ctx).detections ?? [];
}

const tensor = (dims: number[], data: number[] | Float32Array): HostTensor => ({ type: 'float32', dims, data: Float32Array.from(data) });

describe('detector heads: outputs set to encode known boxes decode to those boxes', () => {
  it('yolo-v5 [B, N, 5+C]: xywh, objectness x best class, per-class NMS', () => {
    // Rows: cx, cy, w, h, obj, c0, c1. Row 1 overlaps row 0 (same class: suppressed), row 2 the same box as class 1 (kept), row 3 below threshold.
    const rows = [
      [20, 30, 10, 20, 0.9, 0.8, 0.1],
      [21, 30, 10, 20, 0.8, 0.8, 0.1],
      [20, 30, 10, 20, 0.7, 0.1, 0.9],
      [50, 50, 4, 4, 0.2, 0.9, 0.0],
    ];
    const head = { kind: 'detector', decoder: 'yolo-v5', outputs: { output: 'y' }, options: {} } as const;
    const got = decode({ ...head }, { y: tensor([1, 4, 7], rows.flat()) });
    expect(got.map((d) => [d.classIndex, d.score, d.box])).toEqual([
      [0, expect.closeTo(0.72, 6), [15, 20, 25, 40]],
      [1, expect.closeTo(0.63, 6), [15, 20, 25, 40]],
    ]);
  });

  it('yolo-v8 [B, 4+C, N]: columns per anchor, best class without objectness', () => {
    const anchors = [
      [32, 32, 16, 8, 0.1, 0.95],
      [10, 10, 4, 4, 0.3, 0.2],
      [10, 10, 4, 4, 0.1, 0.1],
    ];
    const data = new Float32Array(6 * 3);
    anchors.forEach((a, n) => a.forEach((v, c) => (data[c * 3 + n] = v)));
    const got = decode({ kind: 'detector', decoder: 'yolo-v8', outputs: { output: 'y' }, options: {} }, { y: tensor([1, 6, 3], data) });
    expect(got.map((d) => [d.classIndex, d.score, d.box])).toEqual([
      [1, expect.closeTo(0.95, 6), [24, 28, 40, 36]],
      [0, expect.closeTo(0.3, 6), [8, 8, 12, 12]],
    ]);
  });

  it('ssd: decoded normalised boxes, and raw offsets against anchors with variances', () => {
    const scores = tensor([1, 2, 3], [0.1, 0.8, 0.1, 0.6, 0.1, 0.3]);
    const decoded = decode({ kind: 'detector', decoder: 'ssd', outputs: { boxes: 'b', scores: 's' }, options: {} }, { b: tensor([1, 2, 4], [0.25, 0.25, 0.5, 0.75, 0, 0, 0.1, 0.1]), s: scores });
    expect(decoded.map((d) => [d.classIndex, d.box])).toEqual([
      [0, [16, 16, 32, 48]],
      [1, [0, 0, 6.4, 6.4].map((v) => expect.closeTo(v, 4))],
    ]);
    // Anchor (0.5, 0.5, 0.2, 0.4): offsets (1, -1, ln 2 / 0.2, 0) -> centre (0.52, 0.46), size (0.4, 0.4).
    const raw = decode(
      { kind: 'detector', decoder: 'ssd', outputs: { boxes: 'b', scores: 's' }, options: { anchors: [[0.5, 0.5, 0.2, 0.4], [0.1, 0.1, 0.1, 0.1]], variances: [0.1, 0.2] } },
      { b: tensor([1, 2, 4], [1, -1, Math.log(2) / 0.2, 0, 0, 0, 0, 0]), s: tensor([1, 2, 3], [0.1, 0.9, 0.0, 0.9, 0.05, 0.05]) },
    );
    expect(raw).toHaveLength(1);
    raw[0].box.forEach((v, i) => expect(v).toBeCloseTo([0.32 * 64, 0.26 * 64, 0.72 * 64, 0.66 * 64][i], 4));
  });

  it('detr: softmax with a no-object column, cxcywh normalised, no NMS', () => {
    const logits = tensor([1, 3, 3], [4, 0, 0, 0, 0, 4, 0, 3, 0]);
    const boxes = tensor([1, 3, 4], [0.5, 0.5, 0.5, 0.25, 0.5, 0.5, 0.5, 0.25, 0.1, 0.1, 0.1, 0.1]);
    const got = decode({ kind: 'detector', decoder: 'detr', outputs: { logits: 'l', boxes: 'b' }, options: {} }, { l: logits, b: boxes });
    expect(got.map((d) => [d.classIndex, d.box])).toEqual([
      [0, [16, 24, 48, 40]],
      [1, [3.2, 3.2, 9.6, 9.6].map((v) => expect.closeTo(v, 4))],
    ]);
  });
});

describe('letterboxed inputs', () => {
  it('map boxes back through the letterbox transform to original-image pixels', () => {
    // A 128x64 photo letterboxed into 64x64: scale 0.5, 16 px bars above and below.
    const head = { kind: 'detector', decoder: 'yolo-v8', outputs: { output: 'y' }, options: {} } as const;
    const model = fakeModel(head);
    const data = new Float32Array(5 * 2);
    [32, 32, 16, 8, 0.9].forEach((v, c) => (data[c * 2] = v));
    const ctx: DecodeContext = { model, index: 0, transform: { scaleX: 0.5, scaleY: 0.5, offsetX: 0, offsetY: 16 }, width: 128, height: 64, options: {} };
    const got = getDecoder('yolo-v8')?.({ y: tensor([1, 5, 2], data) }, ctx).detections ?? [];
    expect(got.map((d) => d.box)).toEqual([[48, 24, 80, 40]]);
  });
});

describe('detector heads guessed from output shapes', () => {
  it('tells YOLOv5, YOLOv8, SSD and DETR layouts apart and leaves classifiers alone', () => {
    expect(guessDetectorHead([{ name: 'output0', shape: ['batch', 25200, 85] }])?.head.decoder).toBe('yolo-v5');
    expect(guessDetectorHead([{ name: 'output0', shape: [1, 84, 8400] }])?.reason).toMatch(/yolo-v8: output0 \[1,84,8400\] read as \[B, 4\+80 classes, 8400 anchors\]/);
    expect(guessDetectorHead([{ name: 'pred_logits', shape: [1, 100, 92] }, { name: 'pred_boxes', shape: [1, 100, 4] }])?.head).toMatchObject({ decoder: 'detr', outputs: { logits: 'pred_logits', boxes: 'pred_boxes' } });
    expect(guessDetectorHead([{ name: 'boxes', shape: [1, 1917, 4] }, { name: 'scores', shape: [1, 1917, 91] }])?.head).toMatchObject({ decoder: 'ssd', outputs: { boxes: 'boxes', scores: 'scores' } });
    expect(guessDetectorHead([{ name: 'logits', shape: [1, 1000] }])).toBeUndefined();
  });
});

describe('detector fixtures decode as PyTorch post-processes them', () => {
  const input = readNpy(join(DIR, 'input.npy'));
  for (const [name, ref] of Object.entries(refs.models)) {
    it(`${name} (${ref.head}): same boxes, scores and classes as the reference`, async () => {
      const model = await loadModel(join(DIR, `${name}.onnx`));
      // The file's head is guessed from its output shapes (yolov8_nms is cut before its NMS first).
      expect(model.head).toMatchObject({ kind: 'detector', decoder: ref.head === 'ssd' ? 'ssd' : ref.head });
      const head = model.head as Extract<Head, { kind: 'detector' }>;
      // DETR's PostProcess keeps queries above 0.5 (the script's threshold); the others use ultralytics' 0.25.
      const options: Record<string, unknown> = { minScore: ref.head === 'detr' ? 0.5 : refs.conf, iouThreshold: refs.iou };
      if (ref.anchors) Object.assign(options, { anchors: JSON.parse(readFileSync(join(DIR, ref.anchors), 'utf8')), variances: ref.variances });
      const session = await model.session();
      const outputs = await session.run({ [model.input.name]: input });
      const got = decode({ ...head, options }, outputs, model);
      expect(got.map((d) => d.classIndex)).toEqual(ref.detections.map((d) => d.classIndex));
      got.forEach((d, i) => {
        expect(d.score).toBeCloseTo(ref.detections[i].score, 4);
        d.box.forEach((v, k) => expect(v).toBeCloseTo(ref.detections[i].box[k], 2));
      });
    });
  }
});
