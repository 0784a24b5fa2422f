import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../helpers/paths';
import { modelFixture } from '../../helpers/paths';
import { onnxWithExternalData } from '../../fuzz/hostile';

// The import's last write fails on demand (a full disk, a crash), to see what is left behind.
const failures = vi.hoisted(() => ({ manifest: false }));
vi.mock('../../../src/engine/fs/atomic', async (original) => {
  const actual = await original<typeof import('../../../src/engine/fs/atomic')>();
  return {
    ...actual,
    writeFileAtomic: (path: string, data: string | Uint8Array) => {
      if (failures.manifest && path.endsWith('manifest.json')) throw new Error('ENOSPC: no space left on device');
      return actual.writeFileAtomic(path, data);
    },
  };
});

const { importOnnxModel } = await import('../../../src/engine/models/import');
const { loadModel } = await import('../../../src/engine/models/loaded');
const { listModels } = await import('../../../src/engine/models/registry');

let previousHome: string | undefined;
beforeEach(() => {
  previousHome = process.env.PATCHLAB_HOME;
  process.env.PATCHLAB_HOME = tempDir('patchlab-home-');
  failures.manifest = false;
});
afterEach(() => {
  if (previousHome === undefined) delete process.env.PATCHLAB_HOME;
  else process.env.PATCHLAB_HOME = previousHome;
});

describe('model import', () => {
  it('--force keeps the old model when the new one cannot be written', async () => {
    await importOnnxModel(modelFixture('tinynet.onnx'), { name: 'net' });
    failures.manifest = true;
    await expect(importOnnxModel(modelFixture('mobilenet_v2_w025.onnx'), { name: 'net', force: true })).rejects.toThrow(/no space/);
    failures.manifest = false;
    const models = listModels().filter((m) => m.origin === 'user');
    expect(models.map((m) => m.manifest.name)).toEqual(['net']);
    const model = await loadModel('net');
    expect(model.ir().graph.initializers.size).toBeGreaterThan(0);
    expect(model.manifest.origin).toContain('tinynet.onnx');
    // Nothing half-written is left where the registry looks.
    expect(readdirSync(join(process.env.PATCHLAB_HOME!, 'models'))).toEqual(['net']);
  });

  it('--force replaces the model once the new one is in place', async () => {
    await importOnnxModel(modelFixture('tinynet.onnx'), { name: 'net' });
    await importOnnxModel(modelFixture('mobilenet_v2_w025.onnx'), { name: 'net', force: true });
    expect((await loadModel('net')).manifest.origin).toContain('mobilenet_v2_w025.onnx');
    expect(readdirSync(join(process.env.PATCHLAB_HOME!, 'models'))).toEqual(['net']);
  });

  it('brings a model\'s external data along: the import works after the source folder is gone', async () => {
    const source = tempDir('patchlab-src-');
    mkdirSync(join(source, 'm'));
    const file = onnxWithExternalData(join(source, 'm'), 'data.bin', { writeData: true });
    await importOnnxModel(file, { name: 'ext' });
    rmSync(source, { recursive: true, force: true });
    expect(existsSync(file)).toBe(false);
    const model = await loadModel('ext');
    expect(model.ir().graph.initializers.size).toBeGreaterThan(0);
  });
});
