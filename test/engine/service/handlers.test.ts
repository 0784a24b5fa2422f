import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineService, type EngineService } from '../../../src/engine/service';
import { parseResult } from '../../../src/shared/index';
import { ROOT, imageFixture, modelFixture, tempDir } from '../../helpers/paths';

describe('engine service calls', () => {
  let service: EngineService;
  let home: string;
  const previousHome = process.env.PATCHLAB_HOME;

  beforeAll(() => {
    home = tempDir('patchlab-service-');
    process.env.PATCHLAB_HOME = home;
    service = createEngineService();
  });
  afterAll(() => {
    service.dispose();
    if (previousHome === undefined) delete process.env.PATCHLAB_HOME;
    else process.env.PATCHLAB_HOME = previousHome;
  });

  it('imports an ONNX model sent as bytes, lists it and describes it', async () => {
    const labels = readFileSync(modelFixture('labels10.txt'), 'utf8').trim().split('\n');
    const imported = parseResult(
      'importModel',
      await service.call('importModel', {
        name: 'mnv2',
        format: 'onnx',
        files: [{ name: 'mobilenet_v2_w025.onnx', bytes: readFileSync(modelFixture('mobilenet_v2_w025.onnx')) }],
        head: { kind: 'classifier', activation: 'logits' },
        labels,
      }),
    );
    expect(imported.model).toMatchObject({ name: 'mnv2', origin: 'user', format: 'onnx', head: 'classifier' });
    const { models } = parseResult('listModels', await service.call('listModels', {}));
    expect(models.map((m) => m.name)).toContain('mnv2');
    const info = parseResult('describeModel', await service.call('describeModel', { model: 'mnv2' }));
    expect(info.inputs[0].shape).toEqual(['batch', 3, 224, 224]);
    expect(info.labels).toBe(10);
    expect(info.labelNames).toEqual(labels);
  });

  it('predicts a JPEG frame with the same top classes as predicting the file', async () => {
    const frame = await sharp(imageFixture('dog.jpg')).jpeg({ quality: 95 }).toBuffer();
    const result = parseResult('predictFrame', await service.call('predictFrame', { model: 'mnv2', image: frame, top: 3 }));
    expect(result.prediction.top).toHaveLength(3);
    expect(result.prediction.width).toBeGreaterThan(0);
    expect(result.timing.totalMs).toBeGreaterThanOrEqual(result.timing.inferMs);
    const again = parseResult('predictFrame', await service.call('predictFrame', { model: 'mnv2', image: frame, top: 3 }));
    expect(again.prediction.top?.map((t) => t.label)).toEqual(result.prediction.top?.map((t) => t.label));
    await expect(service.call('predictFrame', { model: 'mnv2', image: new Uint8Array([1, 2, 3]) })).rejects.toThrow(/frame: cannot decode image/);
  });

  it('adds captured frames to a scene set and reads them back, refusing non-images', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3060c0' } }).png().toBuffer();
    const { set } = parseResult('addScenes', await service.call('addScenes', { set: 'captures', images: [{ name: 'frame-1.png', bytes: png }] }));
    expect(set).toMatchObject({ id: 'captures', builtin: false, images: ['frame-1.jpg'] });
    const read = parseResult('readScene', await service.call('readScene', { set: 'captures', image: 'frame-1.jpg', maxSide: 32 }));
    const meta = await sharp(read.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([32, 24]);
    await expect(service.call('addScenes', { set: 'captures', images: [{ name: 'x.jpg', bytes: new Uint8Array(10) }] })).rejects.toThrow(/x.jpg: cannot decode image/);
  });

  it('lists runs and reads their files, and nothing outside them', async () => {
    const dir = join(home, 'runs', 'run-1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ created: '2026-01-02T03:04:05.000Z', status: 'paused', config: { model: 'centernet', attack: 'patch', goal: 'hide', steps: 10 }, steps: { done: 4, total: 10 } }));
    writeFileSync(join(dir, 'patch.png'), await sharp({ create: { width: 8, height: 8, channels: 4, background: '#ff0000' } }).png().toBuffer());
    const { runs } = parseResult('listRuns', await service.call('listRuns', {}));
    expect(runs).toEqual([expect.objectContaining({ id: 'run-1', model: 'centernet', attack: 'patch', goal: 'hide', status: 'paused', steps: 10, stepsDone: 4, createdAt: '2026-01-02T03:04:05.000Z', files: ['patch.png', 'run.json'] })]);
    const artifact = parseResult('readArtifact', await service.call('readArtifact', { run: 'run-1', file: 'patch.png' }));
    expect(artifact.mime).toBe('image/png');
    await expect(service.call('readArtifact', { run: 'run-1', file: 'missing.png' })).rejects.toThrow("run 'run-1' has no file 'missing.png'");
    await expect(service.call('readArtifact', { run: 'run-1', file: '../run-1/patch.png' })).rejects.toThrow(/invalid request/);
  });
});

describe('palettes', () => {
  it('lists the shipped default palette with its swatches', async () => {
    const service = createEngineService();
    const { palettes } = parseResult('listPalettes', await service.call('listPalettes', {}));
    const builtin = palettes.find((p) => p.name === 'default');
    expect(builtin).toMatchObject({ builtin: true, calibrated: false });
    expect(builtin?.swatches.length).toBeGreaterThan(8);
    expect(new Set(builtin?.swatches).size).toBe(builtin?.swatches.length);
  });
});

describe('importing a TF.js graph model', () => {
  it('converts model.json and its shard to ONNX and imports it', async () => {
    const previous = process.env.PATCHLAB_HOME;
    process.env.PATCHLAB_HOME = tempDir('patchlab-tfjs-import-');
    try {
      const service = createEngineService();
      const dir = join(ROOT, 'node_modules/@vladmandic/human/models');
      const imported = parseResult(
        'importModel',
        await service.call('importModel', {
          name: 'live2',
          format: 'tfjs',
          files: ['liveness.json', 'liveness.bin'].map((name) => ({ name, bytes: readFileSync(join(dir, name)) })),
          head: { kind: 'classifier', activation: 'probabilities' },
          input: { width: 32, height: 32 },
          labels: ['live', 'not live'],
        }),
      );
      expect(imported.model).toMatchObject({ name: 'live2', origin: 'user', format: 'onnx' });
      const frame = await sharp(imageFixture('person.jpg')).resize(64, 64).jpeg().toBuffer();
      const { prediction } = parseResult('predictFrame', await service.call('predictFrame', { model: 'live2', image: frame, top: 2 }));
      expect(prediction.top?.map((t) => t.label).sort()).toEqual(['live', 'not live']);
      expect((prediction.top ?? []).reduce((s, t) => s + t.prob, 0)).toBeCloseTo(1, 4);
      await expect(
        service.call('importModel', { name: 'x', format: 'tfjs', files: [{ name: 'liveness.bin', bytes: new Uint8Array(4) }], head: { kind: 'raw' } }),
      ).rejects.toThrow(/one model.json/);
    } finally {
      process.env.PATCHLAB_HOME = previous;
    }
  });
});
