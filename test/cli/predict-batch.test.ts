import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { runPatchlabInProcess } from '../helpers/cli';
import { imageFixture, modelFixture, tempDir } from '../helpers/paths';

const model = modelFixture('mobilenet_v2_w025.onnx');
const labels = ['--labels', modelFixture('labels10.txt')];

function brokenImage(): string {
  const path = join(tempDir(), 'broken.jpg');
  writeFileSync(path, 'not an image at all');
  return path;
}

describe('patchlab predict over many images', () => {
  it('one undecodable image is reported in --json and the others are still predicted; exit code 1 at the end', async () => {
    const bad = brokenImage();
    const r = await runPatchlabInProcess(['predict', model, imageFixture('dog.jpg'), bad, imageFixture('kite.jpg'), ...labels, '--top', '2', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { results: { image: string; error?: string; top?: unknown[] }[] };
    expect(doc.results.map((x) => x.image)).toEqual([imageFixture('dog.jpg'), bad, imageFixture('kite.jpg')]);
    expect(doc.results[0].top).toHaveLength(2);
    expect(doc.results[1]).toEqual({ image: bad, error: expect.stringMatching(/^.*broken\.jpg: cannot decode image/) });
    expect(doc.results[2].top).toHaveLength(2);
  });

  it('without --json: one line on stderr for the bad image, the rest printed', async () => {
    const bad = brokenImage();
    const r = await runPatchlabInProcess(['predict', model, bad, imageFixture('dog.jpg'), ...labels]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').filter((l) => l.includes('broken.jpg'))).toHaveLength(1);
    expect(r.stderr).toMatch(/1 of 2 images failed/);
    expect(r.stdout).toContain(imageFixture('dog.jpg'));
  });

  it('a face model skips a photo with no face and predicts the face crops', async () => {
    const r = await runPatchlabInProcess(['predict', 'emotion', imageFixture('eagle.jpg'), imageFixture('faces/group1-face.jpg'), '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { results: { image: string; error?: string; top?: unknown[] }[] };
    expect(doc.results[0].error).toMatch(/eagle\.jpg: no face found/);
    expect(doc.results[1].top?.length).toBeGreaterThan(0);
  }, 60_000);

  it('--draw DIR keeps both pictures when two inputs share a base name, and skips failed ones', async () => {
    const root = tempDir();
    for (const [sub, src] of [['a', 'dog.jpg'], ['b', 'kite.jpg']] as const) {
      mkdirSync(join(root, sub));
      copyFileSync(imageFixture(src), join(root, sub, 'photo.jpg'));
    }
    const out = join(root, 'drawn');
    const r = await runPatchlabInProcess(['predict', model, join(root, 'a/photo.jpg'), join(root, 'b/photo.jpg'), brokenImage(), ...labels, '--draw', out]);
    expect(r.code).toBe(1);
    const files = readdirSync(out).sort();
    expect(files).toEqual(['photo-2.png', 'photo.png']);
    const [a, b] = await Promise.all(files.map((f) => sharp(join(out, f)).raw().toBuffer()));
    expect(a.equals(b)).toBe(false);
  });
});
