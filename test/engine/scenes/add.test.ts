import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addScenes } from '../../../src/engine/scenes/add';
import { readManifest, setDir } from '../../../src/engine/scenes/manifest';
import { parseSetSpec, selectScenes } from '../../../src/engine/scenes/resolve';
import { listSceneFiles } from '../../../src/engine/attacks/physical/scenes';
import { ffmpegPath } from '../../../src/engine/video/ffmpeg';
import { imageFixture, tempDir } from '../../helpers/paths';

let home: string;
const saved = process.env.PATCHLAB_HOME;
beforeEach(() => {
  home = tempDir('patchlab-scenes-');
  process.env.PATCHLAB_HOME = home;
});
afterEach(() => {
  if (saved === undefined) delete process.env.PATCHLAB_HOME;
  else process.env.PATCHLAB_HOME = saved;
});

describe('scenes add', () => {
  it('stores photos with size and hashes, skips a re-encoded copy, and records the source', async () => {
    const dir = tempDir('patchlab-photos-');
    const copy = join(dir, 'copy.jpg');
    await sharp(imageFixture('group1.jpg')).jpeg({ quality: 60 }).toFile(copy);
    const r = await addScenes([imageFixture('group1.jpg'), imageFixture('person.jpg'), copy], { set: 'demo' });
    expect(r.added).toBe(2);
    expect(r.duplicates).toBe(1);
    const m = readManifest('demo');
    expect(m.scenes.map((s) => s.file)).toEqual(['group1.jpg', 'person.jpg']);
    const s = m.scenes[0];
    const meta = await sharp(join(setDir('demo'), s.file)).metadata();
    expect([s.width, s.height]).toEqual([meta.width, meta.height]);
    expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.sources[s.source]).toMatchObject({ kind: 'file', path: imageFixture('group1.jpg') });
    // Adding the same files again adds nothing.
    expect((await addScenes([imageFixture('person.jpg')], { set: 'demo' })).added).toBe(0);
  });

  it('takes frames from a video with frame number and time, all under one source', async () => {
    const dir = tempDir('patchlab-clip-');
    const clip = join(dir, 'walk.mp4');
    // 3 s at 10 fps: a person photo sliding right 40 px a second, so frames 1 s apart differ.
    execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-loop', '1', '-i', imageFixture('person.jpg'), '-f', 'lavfi', '-i', 'color=c=gray:s=320x240:r=10:d=3', '-filter_complex', "[0]scale=120:-2[p];[1][p]overlay=x='t*40':y=10", '-t', '3', '-r', '10', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', clip]);
    const r = await addScenes([clip], { set: 'clips', every: 10 });
    const m = readManifest('clips');
    expect(r.added).toBe(3);
    expect(m.scenes.map((s) => [s.frame, s.time])).toEqual([[0, 0], [10, 1], [20, 2]]);
    expect(new Set(m.scenes.map((s) => s.source)).size).toBe(1);
    expect(m.sources[m.scenes[0].source].kind).toBe('video');
  });

  it('set:NAME:SPLIT names the files of one split; pinned sources stay in their split', async () => {
    await addScenes([imageFixture('group1.jpg'), imageFixture('group2.jpg')], { set: 'pinned', split: 'test' });
    await addScenes([imageFixture('dog.jpg')], { set: 'pinned', split: 'train' });
    const test = selectScenes({ set: 'pinned', split: 'test' });
    expect(test.entries.map((e) => e.file)).toEqual(['group1.jpg', 'group2.jpg']);
    expect(listSceneFiles('set:pinned:train')).toEqual([join(setDir('pinned'), 'dog.jpg')]);
    expect(listSceneFiles('set:pinned')).toHaveLength(3);
    expect(() => listSceneFiles('set:pinned:val')).toThrow(/no val scenes/);
    expect(() => parseSetSpec('set:pinned:holdout')).toThrow(/'holdout' is not a split/);
    expect(() => readManifest('missing')).toThrow(/no such set/);
    expect(existsSync(join(setDir('pinned'), 'manifest.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(setDir('pinned'), 'manifest.json'), 'utf8')).version).toBe(1);
  });

  it('names a bad input in one line', async () => {
    await expect(addScenes(['/nope/x.jpg'], { set: 'bad' })).rejects.toThrow(/\/nope\/x.jpg: no such file or folder/);
    await expect(addScenes([imageFixture('dog.jpg')], { set: '../up' })).rejects.toThrow(/not a set name/);
  });
});
