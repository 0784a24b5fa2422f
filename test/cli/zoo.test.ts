import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { runPatchlab } from '../helpers/cli';
import { imageFixture, tempDir } from '../helpers/paths';

describe('the built-in zoo from the command line', () => {
  it('models list shows the eight TF.js models with task and input size', () => {
    const r = runPatchlab(['models', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const models = (JSON.parse(r.stdout) as { models: { name: string; task: string; input: string; source: string }[] }).models;
    const zoo = Object.fromEntries(models.filter((m) => m.source === 'tfjs').map((m) => [m.name, `${m.task} ${m.input}`]));
    expect(zoo).toEqual({
      antispoof: 'face-classification 128x128',
      blazeface: 'face-detection 256x256',
      centernet: 'detection 512x512',
      emotion: 'face-classification 64x64',
      faceres: 'face-embedding 224x224',
      liveness: 'face-classification 32x32',
      movenet: 'pose 192x192',
      nanodet: 'detection 416x416',
    });
  });

  it('predict centernet finds the three people in a group photo and draws them', async () => {
    const out = join(tempDir(), 'group2.png');
    const r = runPatchlab(['predict', 'centernet', imageFixture('group2.jpg'), '--draw', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/^ {2}person /gm)).toHaveLength(3);
    const meta = await sharp(readFileSync(out)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 800, 570]);
  });

  it('predict faceres --compare says same person for a face and its crop, different for another face', () => {
    const a = imageFixture('faces/group1-face.jpg');
    const b = imageFixture('faces/group5-face.jpg');
    const r = runPatchlab(['predict', 'faceres', a, b, '--compare', imageFixture('group1.jpg')]);
    expect(r.code, r.stderr).toBe(0);
    const verdicts = [...r.stdout.matchAll(/similarity to .*: ([\d.-]+) \((same person|different people) at threshold 0.552\)/g)].map((m) => m[2]);
    expect(verdicts).toEqual(['same person', 'different people']);
    expect(r.stdout).toMatch(/age \d+(\.\d)? {2}gender female/);
  });
});
