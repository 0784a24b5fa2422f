import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/engine/models/loaded';
import { predictFiles } from '../../../src/engine/models/predict';
import { closeSharedSessionWorkers } from '../../../src/engine/onnx/session-workers/pool';
import { createEngineService, type EngineService } from '../../../src/engine/service';
import { parseResult } from '../../../src/shared/index';
import { imageFixture, tempDir } from '../../helpers/paths';

// The Webcam screen sends raw RGB frames, spread over the session workers; `patchlab predict`
// decodes a file and runs one session. Both must find the same objects in the same pixels.
describe('webcam frames against predict', () => {
  let service: EngineService;
  beforeAll(() => {
    service = createEngineService();
  });
  afterAll(async () => {
    service.dispose();
    await closeSharedSessionWorkers();
  });

  it('gives centernet the same detections for a raw RGB frame, its PNG, and predict on that PNG', async () => {
    const { data, info } = await sharp(imageFixture('group2.jpg')).resize(640, 480, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const png = join(tempDir('patchlab-webcam-'), 'frame.png');
    writeFileSync(png, await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer());
    const raw = parseResult('predictFrame', await service.call('predictFrame', { model: 'centernet', image: new Uint8Array(data), raw: { width: info.width, height: info.height, channels: 3 } }));
    const encoded = parseResult('predictFrame', await service.call('predictFrame', { model: 'centernet', image: new Uint8Array(await sharp(png).toBuffer()) }));
    const [reference] = await predictFiles(await loadModel('centernet'), [png]);
    const detections = reference.detections ?? [];
    expect(detections.filter((d) => d.label === 'person').length).toBeGreaterThan(2);
    for (const frame of [raw.prediction, encoded.prediction]) {
      expect(frame.detections?.map((d) => d.label)).toEqual(detections.map((d) => d.label));
      frame.detections?.forEach((d, i) => {
        expect(d.score).toBeCloseTo(detections[i].score, 4);
        d.box.forEach((v, k) => expect(v).toBeCloseTo(detections[i].box[k], 2));
      });
    }
  });
});
