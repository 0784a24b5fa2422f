import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/engine/errors';
import { readModelFile } from '../../../src/engine/onnx/read';
import { readTfjsModel } from '../../../src/engine/tfjs/artifacts';
import { makeFifo, onnxWithExternalData, tfjsWithShard } from '../../fuzz/hostile';
import { tempDir } from '../../helpers/paths';

/** A folder holding a model folder and a "secret" beside it that the model must not reach. */
function layout() {
  const root = tempDir('patchlab-contain-');
  const model = join(root, 'model');
  mkdirSync(model);
  writeFileSync(join(root, 'secret.bin'), Buffer.alloc(4096, 7));
  return { root, model };
}

const refused = (f: () => unknown, pattern: RegExp) => {
  expect(f).toThrow(UserError);
  expect(f).toThrow(pattern);
};

describe('ONNX external data stays in the model folder', () => {
  it('reads data that sits next to the model', () => {
    const { model } = layout();
    const file = onnxWithExternalData(model, 'data.bin', { writeData: true });
    expect(readModelFile(file).graph.initializers.size).toBeGreaterThan(0);
  });

  it('refuses absolute paths, .., devices, fifos and symlinks out', () => {
    const { root, model } = layout();
    refused(() => readModelFile(onnxWithExternalData(model, join(root, 'secret.bin'))), /absolute path/);
    refused(() => readModelFile(onnxWithExternalData(model, '../secret.bin')), /'\.\.'/);
    refused(() => readModelFile(onnxWithExternalData(model, 'sub/../../secret.bin')), /'\.\.'/);
    refused(() => readModelFile(onnxWithExternalData(model, '/dev/zero')), /absolute path/);
    refused(() => readModelFile(onnxWithExternalData(model, 'C:\\Windows\\win.ini')), /absolute path/);
    symlinkSync(join(root, 'secret.bin'), join(model, 'link.bin'));
    refused(() => readModelFile(onnxWithExternalData(model, 'link.bin')), /outside the model's folder/);
    symlinkSync('/dev/zero', join(model, 'zero.bin'));
    refused(() => readModelFile(onnxWithExternalData(model, 'zero.bin')), /outside the model's folder/);
    makeFifo(join(model, 'pipe.bin'));
    refused(() => readModelFile(onnxWithExternalData(model, 'pipe.bin')), /not a regular file/);
  });

  it('refuses a model path that is a device or fifo instead of hanging', () => {
    const { model } = layout();
    refused(() => readModelFile('/dev/zero'), /not a regular file/);
    const fifo = makeFifo(join(model, 'pipe.onnx'));
    refused(() => readModelFile(fifo), /not a regular file/);
  });
});

describe('TF.js weight shards stay in the model folder', () => {
  it('reads a shard next to model.json', () => {
    const { model } = layout();
    writeFileSync(join(model, 'w.bin'), Buffer.alloc(4));
    expect(readTfjsModel(tfjsWithShard(model, 'w.bin')).weightData.byteLength).toBe(4);
  });

  it('refuses hostile shard paths', () => {
    const { root, model } = layout();
    refused(() => readTfjsModel(tfjsWithShard(model, '../secret.bin')), /'\.\.'/);
    refused(() => readTfjsModel(tfjsWithShard(model, join(root, 'secret.bin'))), /absolute path/);
    refused(() => readTfjsModel(tfjsWithShard(model, '/dev/zero')), /absolute path/);
    symlinkSync(join(root, 'secret.bin'), join(model, 'link.bin'));
    refused(() => readTfjsModel(tfjsWithShard(model, 'link.bin')), /outside the model's folder/);
    makeFifo(join(model, 'pipe.bin'));
    refused(() => readTfjsModel(tfjsWithShard(model, 'pipe.bin')), /not a regular file/);
  });

  it('refuses a manifest whose paths are not a list of strings', () => {
    const { model } = layout();
    const file = join(model, 'model.json');
    writeFileSync(file, JSON.stringify({ modelTopology: { node: [] }, weightsManifest: [{ paths: '../x', weights: [] }] }));
    refused(() => readTfjsModel(file), /weightsManifest/);
  });
});
