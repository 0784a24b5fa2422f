import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createEngineService } from '../../../src/engine/service';
import { parseResult } from '../../../src/shared/index';
import { ROOT, imageFixture, tempDir } from '../../helpers/paths';

const DIR = join(ROOT, 'test/fixtures/detectors');

describe('importing a detector through the API (the Models screen)', () => {
  it('guesses the layout when no decoder is named, cuts an NMS export, and predicts boxes', async () => {
    const previous = process.env.PATCHLAB_HOME;
    process.env.PATCHLAB_HOME = tempDir('patchlab-detector-import-');
    try {
      const service = createEngineService();
      const labels = ['person', 'car', 'dog'];
      const file = (name: string) => [{ name, bytes: readFileSync(join(DIR, name)) }];
      const guessed = parseResult('importModel', await service.call('importModel', { name: 'y8', format: 'onnx', files: file('yolov8_nms.onnx'), head: { kind: 'detector' }, labels }));
      expect(guessed.model).toMatchObject({ name: 'y8', head: 'detector' });
      const named = parseResult('importModel', await service.call('importModel', { name: 'd', format: 'onnx', files: file('detr.onnx'), head: { kind: 'detector', decoder: 'detr' }, labels }));
      expect(named.model).toMatchObject({ name: 'd', head: 'detector' });
      const frame = await sharp(imageFixture('dog.jpg')).jpeg().toBuffer();
      for (const model of ['y8', 'd']) {
        const { prediction } = parseResult('predictFrame', await service.call('predictFrame', { model, image: frame }));
        expect(prediction.detections?.length).toBeGreaterThan(0);
        expect(labels).toContain(prediction.detections?.[0].label);
      }
    } finally {
      process.env.PATCHLAB_HOME = previous;
    }
  });
});
