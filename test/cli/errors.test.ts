import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPatchlab } from '../helpers/cli';
import { imageFixture, modelFixture, tempDir } from '../helpers/paths';

let dir: string;

beforeAll(() => {
  dir = tempDir();
  writeFileSync(join(dir, 'notes.onnx'), 'this is a text file, not a model\n');
  const bytes = readFileSync(modelFixture('mobilenet_v2_w025.onnx'));
  writeFileSync(join(dir, 'truncated.onnx'), bytes.subarray(0, 400_000));
  writeFileSync(join(dir, 'broken.jpg'), Buffer.from('definitely not a jpeg'));
});

/** Every user mistake: exit 1, exactly one line on stderr, nothing that looks like a stack. */
function expectOneLineError(result: ReturnType<typeof runPatchlab>, pattern: RegExp): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('CLI errors', () => {
  it('a missing model file', () => {
    expectOneLineError(runPatchlab(['models', 'info', join(dir, 'missing.onnx')]), /^patchlab: .*missing\.onnx: no such file$/);
  });

  it('a file that is not ONNX', () => {
    expectOneLineError(runPatchlab(['predict', join(dir, 'notes.onnx'), imageFixture('dog.jpg')]), /^patchlab: .*notes\.onnx: not an ONNX model/);
  });

  it('a truncated ONNX file', () => {
    expectOneLineError(runPatchlab(['models', 'info', join(dir, 'truncated.onnx')]), /^patchlab: .*truncated\.onnx: truncated or corrupt ONNX file/);
  });

  it('an image that cannot be decoded', () => {
    expectOneLineError(runPatchlab(['predict', modelFixture('tinynet.onnx'), join(dir, 'broken.jpg')]), /^patchlab: .*broken\.jpg: cannot decode image/);
  });

  it('a missing image', () => {
    expectOneLineError(runPatchlab(['predict', modelFixture('tinynet.onnx'), join(dir, 'nope.png')]), /^patchlab: .*nope\.png: no such file$/);
  });

  it('a wrong input size', () => {
    expectOneLineError(runPatchlab(['predict', modelFixture('tinynet.onnx'), imageFixture('dog.jpg'), '--size', '100']), /expects 224x224 images, --size asked for 100x100/);
  });

  it('an unknown model name', () => {
    expectOneLineError(runPatchlab(['predict', 'resnet9000', imageFixture('dog.jpg')]), /^patchlab: unknown model 'resnet9000'/);
  });

  it('a malformed flag value names the flag', () => {
    expectOneLineError(runPatchlab(['predict', modelFixture('tinynet.onnx'), imageFixture('dog.jpg'), '--mean', '1,2']), /^patchlab: --mean: expected 3 comma-separated numbers/);
    expectOneLineError(runPatchlab(['predict', modelFixture('tinynet.onnx'), imageFixture('dog.jpg'), '--top', 'many']), /^patchlab: --top: 'many' is not a positive whole number/);
  });

  it('prints the stack only with --debug', () => {
    const result = runPatchlab(['--debug', 'models', 'info', join(dir, 'notes.onnx')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/notes\.onnx: not an ONNX model/);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});
