import { describe, expect, it } from 'vitest';
import { RateMeter, displayItems, eyesOf, frameSize, packRgb } from '../../src/renderer/src/lib/webcam';
import { DEMO, toAttackParams } from '../../src/renderer/src/lib/design';
import { parseParams } from '../../src/shared/index';

describe('webcam helpers', () => {
  it('packs canvas RGBA as RGB for the socket: alpha dropped, order kept', () => {
    const rgba = new Uint8ClampedArray([1, 2, 3, 255, 4, 5, 6, 128]);
    expect(Array.from(packRgb(rgba))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(packRgb(new Uint8ClampedArray(4 * 512 * 512)).byteLength).toBe(3 * 512 * 512);
  });

  it('sends frames at exactly the size of a stretching model, else at its scale with the camera aspect', () => {
    expect(frameSize(640, 480, { width: 512, height: 512, resize: 'stretch' })).toEqual({ width: 512, height: 512 });
    expect(frameSize(640, 480, { width: 512, height: 512, resize: 'letterbox' })).toEqual({ width: 512, height: 384 });
    expect(frameSize(320, 240, { width: 512, height: 512, resize: 'letterbox' })).toEqual({ width: 320, height: 240 });
    expect(frameSize(1280, 720, { width: 224, height: 224, resize: 'letterbox' })).toEqual({ width: 224, height: 126 });
    expect(frameSize(640, 480, {})).toEqual({ width: 512, height: 384 });
  });

  it('counts predictions per second over its window', () => {
    const meter = new RateMeter(2000);
    for (let t = 0; t <= 1000; t += 100) meter.tick(t);
    expect(meter.rate(1000)).toBeCloseTo(10, 6);
    expect(meter.rate(5000)).toBe(0);
  });

  it('lists detections above the threshold, faces, or top classes', () => {
    const base = { image: 'frame', width: 10, height: 10 };
    expect(displayItems({ ...base, detections: [{ label: 'person', classIndex: 0, score: 0.9, box: [0, 0, 1, 1] }, { label: 'dog', classIndex: 16, score: 0.1, box: [0, 0, 1, 1] }] })).toEqual([{ label: 'person', score: 0.9, box: [0, 0, 1, 1] }]);
    expect(displayItems({ ...base, top: [{ index: 3, label: 'kite', prob: 0.7 }] })).toEqual([{ label: 'kite', score: 0.7 }]);
    expect(displayItems(undefined)).toEqual([]);
  });

  it('finds the eyes of the most confident face, image-left first', () => {
    const face = (score: number, lx: number) => ({ score, box: [0, 0, 1, 1] as [number, number, number, number], keypoints: [{ name: 'leftEye', x: lx, y: 5 }, { name: 'rightEye', x: 50, y: 6 }, { name: 'nose', x: 40, y: 9 }] });
    const eyes = eyesOf({ image: 'f', width: 100, height: 100, faces: [face(0.5, 10), face(0.9, 70)] });
    expect(eyes).toEqual({ left: { name: 'rightEye', x: 50, y: 6 }, right: { name: 'leftEye', x: 70, y: 5 } });
    expect(eyesOf({ image: 'f', width: 1, height: 1, faces: [] })).toBeUndefined();
  });
});

describe('design form', () => {
  it('the demo is a valid attack request', () => {
    const request = parseParams('startJob', { kind: 'attack', params: toAttackParams(DEMO) });
    expect(request).toMatchObject({ kind: 'attack', params: { model: 'centernet', goal: 'hide', className: 'person', shape: 'square', scenes: 'samples' } });
  });
});
