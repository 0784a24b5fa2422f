import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importOnnxModel } from '../../../src/engine/models/import';
import { loadModel } from '../../../src/engine/models/loaded';
import { predictFiles } from '../../../src/engine/models/predict';
import { listModels, resolveModelRef } from '../../../src/engine/models/registry';
import { imageFixture, modelFixture, tempDir } from '../../helpers/paths';

let previousHome: string | undefined;
let home: string;

beforeEach(() => {
  previousHome = process.env.PATCHLAB_HOME;
  home = tempDir('patchlab-home-');
  process.env.PATCHLAB_HOME = home;
});

afterEach(() => {
  if (previousHome === undefined) delete process.env.PATCHLAB_HOME;
  else process.env.PATCHLAB_HOME = previousHome;
});

const labels = ['tench', 'goldfish', 'great white shark', 'tiger shark', 'hammerhead', 'electric ray', 'stingray', 'cock', 'hen', 'ostrich'];

describe('model registry', () => {
  it('imports an ONNX classifier with its manifest and predicts by name', async () => {
    const manifest = await importOnnxModel(modelFixture('mobilenet_v2_w025.onnx'), {
      name: 'mini',
      input: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      labels,
    });
    expect(manifest.name).toBe('mini');
    const dir = join(home, 'models', 'mini');
    expect(existsSync(join(dir, 'model.onnx'))).toBe(true);
    const saved = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(saved.input.mean).toEqual([0.485, 0.456, 0.406]);
    expect(saved.source).toEqual({ kind: 'onnx', file: 'model.onnx' });

    const entry = listModels().find((e) => e.manifest.name === 'mini');
    expect(entry?.origin).toBe('user');
    const model = await loadModel('mini');
    const [r] = await predictFiles(model, [imageFixture('dog.jpg')], { top: 2 });
    expect(labels).toContain(r.top![0].label);
  });

  it('refuses labels that do not match the class count, and duplicate names without --force', async () => {
    await expect(importOnnxModel(modelFixture('tinynet.onnx'), { labels: ['a', 'b', 'c'] })).rejects.toThrow("3 labels given but output 'logits' has 10 classes");
    await importOnnxModel(modelFixture('tinynet.onnx'));
    await expect(importOnnxModel(modelFixture('tinynet.onnx'))).rejects.toThrow(/already imported; use --force/);
    await expect(importOnnxModel(modelFixture('tinynet.onnx'), { force: true })).resolves.toMatchObject({ name: 'tinynet' });
  });

  it('names unknown models and missing files', () => {
    expect(() => resolveModelRef('no-such-model')).toThrow(/^unknown model 'no-such-model'/);
    expect(() => resolveModelRef('/nope/model.onnx')).toThrow('/nope/model.onnx: no such file');
  });
});
