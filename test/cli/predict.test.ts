import { describe, expect, it } from 'vitest';
import { runPatchlab } from '../helpers/cli';
import { imageFixture, modelFixture, tempDir } from '../helpers/paths';

describe('patchlab predict / models info', () => {
  it('prints the documented JSON for a torchvision classifier and several images at once', () => {
    const images = ['dog.jpg', 'eagle.jpg', 'kite.jpg'].map(imageFixture);
    const r = runPatchlab(['predict', modelFixture('mobilenet_v2_w025.onnx'), ...images, '--top', '3', '--labels', modelFixture('labels10.txt'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.results).toHaveLength(3);
    for (const [i, result] of doc.results.entries()) {
      expect(result.image).toBe(images[i]);
      expect(result.top).toHaveLength(3);
      for (const t of result.top) {
        expect(Object.keys(t).sort()).toEqual(['index', 'label', 'prob']);
        expect(t.prob).toBeGreaterThan(0);
        expect(t.prob).toBeLessThan(1);
      }
      expect(result.top[0].prob).toBeGreaterThanOrEqual(result.top[1].prob);
    }
  });

  it('models info --json reports shapes, opset, ops, parameters and size', () => {
    const r = runPatchlab(['models', 'info', modelFixture('mobilenet_v2_w025.onnx'), '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.inputs).toEqual([{ name: 'input', type: 'float32', shape: ['batch', 3, 224, 224] }]);
    expect(info.outputs).toEqual([{ name: 'logits', type: 'float32', shape: ['batch', 10] }]);
    expect(info.opset).toBe(13);
    expect(info.ops.Conv).toBe(52);
    expect(info.parameters).toBeGreaterThan(100_000);
    expect(info.fileBytes).toBeGreaterThan(info.parameters * 4 - 1);
  });

  it('models import then list shows the model, and predict works by name', () => {
    const env = { PATCHLAB_HOME: tempDir('patchlab-home-') };
    const imported = runPatchlab(['models', 'import', modelFixture('tinynet.onnx'), '--name', 'tiny', '--labels', modelFixture('labels10.txt')], env);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const list = JSON.parse(runPatchlab(['models', 'list', '--json'], env).stdout);
    expect(list.models.map((m: { name: string }) => m.name)).toContain('tiny');
    const predicted = JSON.parse(runPatchlab(['predict', 'tiny', imageFixture('dog.jpg'), '--json'], env).stdout);
    expect(predicted.results[0].top[0].label).toMatch(/[a-z]/);
  });
});
