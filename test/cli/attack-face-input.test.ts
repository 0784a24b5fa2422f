import { describe, expect, it } from 'vitest';
import { runPatchlabInProcess } from '../helpers/cli';
import { imageFixture, tempDir } from '../helpers/paths';

describe('patchlab attack on a face model', () => {
  it('says which input it attacks: the whole image at the model size, as predict --no-align sees it, not the aligned face crop', async () => {
    const r = await runPatchlabInProcess(['attack', 'fgsm', '--model', 'emotion', '--images', imageFixture('faces/group1-face.jpg'), '--out', tempDir(), '--json']);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /face model/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/emotion is a face model: .*whole image resized to 64x64.*predict --no-align.*not the aligned crop/);
  }, 60_000);
});
