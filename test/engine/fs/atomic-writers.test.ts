import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, writeImage } from '../../../src/engine/image/image';
import { createModel, emptyGraph } from '../../../src/engine/onnx/ir';
import { writeModelFile } from '../../../src/engine/onnx/write';
import { readNpy, writeNpy } from '../../../src/engine/tensor/npy';
import { floatTensor } from '../../../src/engine/tensor/tensor';
import { tempDir } from '../../helpers/paths';

/** What a reader that opened the file before the write sees afterwards: an atomic writer replaces the file, never rewrites it in place. */
function readThroughOldHandle(path: string, write: () => void | Promise<void>): Promise<Buffer> {
  const before = readFileSync(path);
  const fd = openSync(path, 'r');
  return Promise.resolve(write()).then(() => {
    const seen = Buffer.alloc(before.length);
    const n = readSync(fd, seen, 0, seen.length, 0);
    closeSync(fd);
    return seen.subarray(0, n);
  });
}

describe('every writer of a result file is atomic (old or new content, never torn)', () => {
  it('writeNpy', async () => {
    const path = join(tempDir(), 'a.npy');
    writeNpy(path, floatTensor([4], new Float32Array([1, 2, 3, 4])));
    const old = readFileSync(path);
    const seen = await readThroughOldHandle(path, () => writeNpy(path, floatTensor([2], new Float32Array([9, 9]))));
    expect(seen.equals(old)).toBe(true);
    expect(Array.from(readNpy(path).data as Float32Array)).toEqual([9, 9]);
  });

  it('writeModelFile', async () => {
    const path = join(tempDir(), 'm.onnx');
    writeFileSync(path, Buffer.alloc(4096, 7));
    const seen = await readThroughOldHandle(path, () => writeModelFile(createModel(emptyGraph('g'), 13), path));
    expect(seen.equals(Buffer.alloc(4096, 7))).toBe(true);
  });

  it('writeImage', async () => {
    const path = join(tempDir(), 'x.png');
    writeFileSync(path, Buffer.alloc(4096, 7));
    const image = { width: 2, height: 2, channels: 3 as const, data: new Uint8Array(12).fill(200) };
    const seen = await readThroughOldHandle(path, () => writeImage(path, image));
    expect(seen.equals(Buffer.alloc(4096, 7))).toBe(true);
    expect((await decodeImage(path)).width).toBe(2);
  });
});
