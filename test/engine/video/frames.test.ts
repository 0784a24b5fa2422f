import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../../src/engine/video/ffmpeg';
import { frameAt, outputSize, parseProbe, probeVideo, readFrames, spreadFrames } from '../../../src/engine/video/frames';

let dir: string;
let clip: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patchlab-video-'));
  clip = join(dir, 'clip.mp4');
  // 4 s at 10 fps, 80x60: red for 2 s, then blue for 2 s (so frame times can be checked by colour).
  execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=80x60:r=10:d=2', '-f', 'lavfi', '-i', 'color=c=blue:s=80x60:r=10:d=2', '-filter_complex', '[0][1]concat=n=2:v=1', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', clip]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meanRgb = (data: Uint8Array): number[] => {
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i++) sum[i % 3] += data[i];
  return sum.map((s) => s / (data.length / 3));
};

describe('video frames through the npm-shipped ffmpeg', () => {
  it('probes duration, rate and size', async () => {
    const info = await probeVideo(clip);
    expect(info.width).toBe(80);
    expect(info.height).toBe(60);
    expect(info.fps).toBe(10);
    expect(info.duration).toBeCloseTo(4, 1);
  });

  it('keeps one frame in N with its source frame number and time', async () => {
    const frames = [];
    for await (const f of readFrames(clip, { every: 10 })) frames.push(f);
    expect(frames.map((f) => f.index)).toEqual([0, 10, 20, 30]);
    expect(frames.map((f) => f.time)).toEqual([0, 1, 2, 3]);
    expect(meanRgb(frames[0].image.data)[0]).toBeGreaterThan(200);
    expect(meanRgb(frames[3].image.data)[2]).toBeGreaterThan(200);
    expect(frames[0].image.data.length).toBe(80 * 60 * 3);
  });

  it('resamples to a frame rate and downscales to a longer side', async () => {
    const frames = [];
    for await (const f of readFrames(clip, { fps: 2, maxSide: 40 })) frames.push(f);
    expect(frames).toHaveLength(8);
    expect([frames[0].image.width, frames[0].image.height]).toEqual([40, 30]);
  });

  it('stops ffmpeg when the caller stops reading', async () => {
    let n = 0;
    for await (const f of readFrames(clip)) {
      expect(f.index).toBe(n);
      if (++n === 3) break;
    }
    expect(n).toBe(3);
  });

  it('reads a frame at a time and spreads frames over the clip', async () => {
    expect(meanRgb((await frameAt(clip, 3.2)).data)[2]).toBeGreaterThan(200);
    const spread = await spreadFrames(clip, 4);
    expect(spread.map((f) => f.time)).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(spread.map((f) => (meanRgb(f.image.data)[0] > 200 ? 'red' : 'blue'))).toEqual(['red', 'red', 'blue', 'blue']);
  });

  it('names the file when it is not a video, or missing, or the flags conflict', async () => {
    const text = join(dir, 'notes.mp4');
    writeFileSync(text, 'not a video');
    await expect(probeVideo(text)).rejects.toThrow(/notes\.mp4: not a video ffmpeg can read/);
    await expect(probeVideo(join(dir, 'missing.mp4'))).rejects.toThrow(/missing\.mp4: no such file/);
    await expect(readFrames(clip, { every: 2, fps: 1 }).next()).rejects.toThrow(/give one of them/);
    await expect(readFrames(clip, { every: 0 }).next()).rejects.toThrow(/--every/);
  });

  it('parses rotated phone videos as displayed', () => {
    const text = 'Duration: 00:00:05.00, start\n    Stream #0:0(und): Video: h264 (avc1 / 0x31637661), yuv420p, 1920x1080, 30 fps, 30 tbr\n      rotate          : 90\n';
    expect(parseProbe(text)).toEqual({ duration: 5, fps: 30, width: 1080, height: 1920 });
    expect(outputSize({ duration: 5, fps: 30, width: 1080, height: 1920 }, 640)).toEqual({ width: 360, height: 640 });
  });
});
