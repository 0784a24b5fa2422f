import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTrial, type TrialReport } from '../../../src/engine/trial/trial';
import { matchTemplate, toGrey } from '../../../src/engine/trial/template';
import { ffmpegPath } from '../../../src/engine/video/ffmpeg';
import { imageFixture, tempDir } from '../../helpers/paths';

let dir: string;
let clip: string;
let patch: string;

beforeAll(async () => {
  dir = tempDir('patchlab-trial-');
  patch = join(dir, 'patch.png');
  // A 64x64 "printed patch": seeded 8x8 blocks of colour (smooth enough to survive the camera, as TV-regularised patches are).
  const noise = Buffer.alloc(8 * 8 * 3);
  let s = 7;
  for (let i = 0; i < noise.length; i++) noise[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  await sharp(noise, { raw: { width: 8, height: 8, channels: 3 } }).resize(64, 64, { kernel: 'nearest' }).png().toFile(patch);
  clip = join(dir, 'trial.mp4');
  // 4 s at 10 fps, 320x240: a group photo of people for 2 s, then an empty grey wall for 2 s;
  // the patch composited at (220, 150) in every frame, 60 px wide.
  execFileSync(ffmpegPath(), [
    '-hide_banner', '-loglevel', 'error',
    '-loop', '1', '-t', '2', '-i', imageFixture('group1.jpg'),
    '-f', 'lavfi', '-i', 'color=c=gray:s=320x240:r=10:d=2',
    '-loop', '1', '-i', patch,
    '-filter_complex', '[0]scale=320:240,setsar=1,fps=10[a];[1]setsar=1[b];[a][b]concat=n=2:v=1[v];[2]scale=60:60[p];[v][p]overlay=220:150:shortest=1',
    '-t', '4', '-r', '10', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-crf', '12', clip,
  ]);
}, 60_000);

describe('patchlab trial', () => {
  let report: TrialReport;
  it('reports per-frame detection, the rate over the clip and where the patch is', async () => {
    report = await runTrial(clip, { model: 'centernet', className: 'person', run: patch, fps: 2, out: join(dir, 'out') });
    expect(report.frames.map((f) => f.time)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
    const first = report.frames.filter((f) => f.time < 2);
    const second = report.frames.filter((f) => f.time >= 2);
    expect(first.every((f) => f.detected && f.count >= 1)).toBe(true);
    expect(second.every((f) => !f.detected)).toBe(true);
    expect(report.rate).toBeCloseTo(0.5, 6);
    expect(report.frames.map((f) => f.patch?.score ?? 0).every((v) => v >= 0.5), JSON.stringify(report.frames.map((f) => f.patch))).toBe(true);
    expect(report.patchFound).toBe(1);
    for (const f of report.frames) {
      const [x0, y0, x1, y1] = f.patch!.box;
      expect(Math.abs((x0 + x1) / 2 - 250)).toBeLessThan(10);
      expect(Math.abs((y0 + y1) / 2 - 180)).toBeLessThan(10);
    }
  }, 120_000);

  it('writes trial.json, the detection plot and a contact sheet', async () => {
    for (const f of report.files) expect(existsSync(f), f).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'trial.json'), 'utf8')).frames).toHaveLength(8);
    const sheet = await sharp(join(dir, 'out', 'trial-sheet.png')).metadata();
    expect(sheet.width).toBe(4 * 240);
    expect(readFileSync(join(dir, 'out', 'trial-detection.svg'), 'utf8')).toContain('<svg');
  });

  it('the template match ignores a frame without the patch', async () => {
    const grey = await toGrey(imageFixture('group2.jpg'), 192);
    const m = matchTemplate(grey, [await toGrey(patch, 24)]);
    expect(m!.score).toBeLessThan(0.5);
  });

  it('refuses a non-detector and an unknown class in one line', async () => {
    await expect(runTrial(clip, { model: 'centernet', className: 'unicorn' })).rejects.toThrow(/--class: centernet has no class 'unicorn'/);
    await expect(runTrial(join(dir, 'none.mp4'), { model: 'centernet', className: 'person' })).rejects.toThrow(/no such file/);
  });
});
