import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../../../src/engine/scenes/manifest';
import { toPhysicalInput } from '../../../src/engine/service/jobs/attack';
import { attackDefaults } from '../../../src/engine/service/jobs/attack';
import { heldOutScenes } from '../../../src/engine/service/jobs/evaluate';
import { ffmpegPath } from '../../../src/engine/video/ffmpeg';
import { parseParams, parseResult } from '../../../src/shared/index';
import { imageFixture, tempDir } from '../../helpers/paths';
import { jobEnded, serviceInFreshHome } from '../../helpers/jobs';

const photo = (name: string) => sharp(imageFixture(name)).resize(320).jpeg().toBuffer();

/** A short webm clip (what the Webcam screen's MediaRecorder sends): a group photo, then a grey wall. */
function webmClip(dir: string): Uint8Array {
  const out = join(dir, 'clip.webm');
  execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-loop', '1', '-t', '2', '-i', imageFixture('group2.jpg'), '-f', 'lavfi', '-i', 'color=c=gray:s=320x240:r=10:d=2', '-filter_complex', '[0]scale=320:240,setsar=1,fps=10[a];[1]setsar=1[b];[a][b]concat=n=2:v=1[v]', '-map', '[v]', '-c:v', 'libvpx', '-b:v', '400k', out]);
  return execFileSync('cat', [out]);
}

describe('scene sets, torso placement and trials over the API', () => {
  const ctx = serviceInFreshHome('patchlab-scene-calls-', () => undefined);
  let clip: Uint8Array;

  it('records captured frames into a managed set as one source and reports counts per split', async () => {
    const frames = [{ name: 'a.jpg', bytes: await photo('group1.jpg') }, { name: 'b.jpg', bytes: await photo('group3.jpg') }, { name: 'c.jpg', bytes: await photo('group1.jpg') }];
    const r = parseResult('recordScenes', await ctx.service.call('recordScenes', { kind: 'frames', set: 'street', frames, split: 'val' }));
    expect(r).toMatchObject({ added: 2, duplicates: 1 });
    expect(r.info).toMatchObject({ name: 'street', managed: true, scenes: 2, sources: 1 });
    expect(r.info.splits).toEqual({ train: { sources: 0, scenes: 0 }, val: { sources: 1, scenes: 2 }, test: { sources: 0, scenes: 0 } });
    // The same manifest `patchlab scenes info` reads; the pinned split is kept.
    const m = readManifest('street');
    expect(Object.values(m.sources)).toEqual([expect.objectContaining({ split: 'val', pinned: true })]);
    const info = parseResult('sceneSetInfo', await ctx.service.call('sceneSetInfo', { set: 'street' }));
    expect(info).toEqual(r.info);
    // The app's scene list sees the set too.
    const { sets } = parseResult('listSceneSets', await ctx.service.call('listSceneSets', {}));
    expect(sets.find((s) => s.id === 'street')?.images).toHaveLength(2);
  });

  it('records a clip into a set: frames through ffmpeg, the clip kept as their source', async () => {
    clip = webmClip(tempDir('patchlab-clip-'));
    const r = parseResult('recordScenes', await ctx.service.call('recordScenes', { kind: 'clip', set: 'street', clip: { name: 'take.webm', bytes: clip }, fps: 2 }));
    // 4 s at 2 fps of two still pictures: the set keeps one of each and skips the near-duplicate frames.
    expect(r.added).toBe(2);
    expect(r.duplicates).toBeGreaterThanOrEqual(5);
    expect(r.info.sources).toBe(2);
    expect(readdirSync(join(ctx.home, 'scenes', 'street', 'clips'))).toHaveLength(1);
  }, 60_000);

  it('refuses built-in and plain sets, bad clip names and path-like set names', async () => {
    const frames = [{ name: 'a.jpg', bytes: await photo('dog.jpg') }];
    await expect(ctx.service.call('recordScenes', { kind: 'frames', set: 'samples', frames })).rejects.toThrow(/built-in/);
    await ctx.service.call('addScenes', { set: 'plain', images: frames });
    await expect(ctx.service.call('recordScenes', { kind: 'frames', set: 'plain', frames })).rejects.toThrow(/plain folder/);
    expect(parseResult('sceneSetInfo', await ctx.service.call('sceneSetInfo', { set: 'plain' }))).toMatchObject({ managed: false, scenes: 1 });
    expect(() => parseParams('recordScenes', { kind: 'clip', set: 'x', clip: { name: 'clip.exe', bytes: new Uint8Array(1) } })).toThrow(/webm/);
    expect(() => parseParams('recordScenes', { kind: 'frames', set: '../etc', frames })).toThrow(/set/);
    expect(() => parseParams('sceneSetInfo', { set: 'a/b' })).toThrow(/set/);
    await expect(ctx.service.call('sceneSetInfo', { set: 'nope' })).rejects.toThrow(/unknown scene set 'nope'/);
  });

  it('hands the Design form\'s set, split and placement to the attack engine as `set:NAME:SPLIT` and torso', () => {
    const p = parseParams('startJob', { kind: 'attack', params: { model: 'centernet', className: 'person', scenes: 'street', split: 'train', placement: 'torso' } });
    if (p.kind !== 'attack') throw new Error('not an attack');
    expect(toPhysicalInput(p.params)).toMatchObject({ scenes: 'set:street:train', placement: { kind: 'detect', on: 'torso' } });
    const plain = parseParams('startJob', { kind: 'attack', params: { model: 'centernet', scenes: 'plain' } });
    if (plain.kind !== 'attack') throw new Error('not an attack');
    expect(toPhysicalInput(plain.params).scenes).toBe(join(ctx.home, 'scenes', 'plain'));
    expect(toPhysicalInput(plain.params)).not.toHaveProperty('placement');
  });

  it('places the patch on each person\'s chest from movenet keypoints, sized like a torso attack', async () => {
    const image = await sharp(imageFixture('person.jpg')).resize(480).jpeg().toBuffer();
    const r = parseResult('placeTorso', await ctx.service.call('placeTorso', { image, model: 'centernet' }));
    expect(r.size).toBe(attackDefaults('patch', 'hide', 'torso').size);
    expect(r.people.length).toBeGreaterThan(0);
    const [p] = r.people;
    expect(p.on).toBe('torso');
    expect(p.keypoints).toHaveLength(17);
    // The chest quad sits inside the person's box, below the shoulders.
    const cx = p.quad.reduce((a, q) => a + q[0], 0) / 4;
    const cy = p.quad.reduce((a, q) => a + q[1], 0) / 4;
    expect(cx).toBeGreaterThan(p.box[0]);
    expect(cx).toBeLessThan(p.box[2]);
    expect(cy).toBeGreaterThan(Math.min(p.keypoints[5][1], p.keypoints[6][1]));
    expect(cy).toBeLessThan(p.box[3]);
    await expect(ctx.service.call('placeTorso', { image, model: 'faceres' })).rejects.toThrow(/not a detector/);
  }, 120_000);

  it('scores a recorded trial clip per frame and reports the rate', async () => {
    const { job } = parseResult('startJob', await ctx.service.call('startJob', { kind: 'trial', params: { clip: { name: 'take.webm', bytes: clip }, model: 'centernet', className: 'person', label: 'without patch', fps: 2 } }));
    const ended = await jobEnded(ctx.events, job.id);
    expect(ended.error).toBeUndefined();
    const result = ended.result as { trial: string; rate: number; frames: { time: number; detected: boolean }[] };
    expect(result.frames.length).toBeGreaterThanOrEqual(7);
    // People in the first 2 s, a grey wall after.
    expect(result.frames.filter((f) => f.time < 1.9).every((f) => f.detected)).toBe(true);
    expect(result.frames.filter((f) => f.time > 2.1).some((f) => f.detected)).toBe(false);
    expect(result.rate).toBeCloseTo(result.frames.filter((f) => f.detected).length / result.frames.length, 6);
    const dir = join(ctx.home, 'trials', result.trial);
    for (const f of ['trial.json', 'trial-detection.png', 'trial-sheet.png']) expect(existsSync(join(dir, f)), f).toBe(true);
  }, 120_000);
});

describe('the Evaluate screen\'s held-out scenes', () => {
  it('sends a managed set\'s split as set:NAME:SPLIT (so the clean-test gate applies) and a plain set as its folder', () => {
    const p = parseParams('startJob', { kind: 'evaluate', params: { run: 'r', scenes: 'street', split: 'test' } });
    if (p.kind !== 'evaluate') throw new Error('not an evaluation');
    expect(heldOutScenes(p.params)).toBe('set:street:test');
    const plain = parseParams('startJob', { kind: 'evaluate', params: { run: 'r' } });
    if (plain.kind !== 'evaluate') throw new Error('not an evaluation');
    expect(heldOutScenes(plain.params)).toMatch(/resources\/scenes\/heldout$/);
    expect(() => parseParams('startJob', { kind: 'evaluate', params: { run: 'r', scenes: 'street', split: 'holdout' } })).toThrow(/split/);
  });
});
