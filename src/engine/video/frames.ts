import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { UserError } from '../errors';
import type { RasterImage } from '../image/image';
import { ffmpegPath } from './ffmpeg';

export interface VideoInfo {
  /** Seconds; 0 when the container does not say. */
  duration: number;
  /** Frames per second of the video stream. */
  fps: number;
  /** Displayed size (after the rotation the container asks for). */
  width: number;
  height: number;
}

export interface FrameOptions {
  /** Keep one frame in N of the source (by frame number). */
  every?: number;
  /** Resample to this many frames per second instead. */
  fps?: number;
  /** Start and length of the window to read, in seconds. */
  start?: number;
  duration?: number;
  /** Downscale so the longer side is at most this (never upscale). */
  maxSide?: number;
}

export interface VideoFrame {
  /** Frame number in the source video (for `every`), or the sample number (for `fps`). */
  index: number;
  /** Seconds from the start of the video. */
  time: number;
  image: RasterImage;
}

function requireFile(file: string): void {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  if (!statSync(file).isFile()) throw new UserError(`${file}: not a regular file`);
}

/** Runs ffmpeg to completion and returns its stderr (ffmpeg writes what it knows of a file there). */
function ffmpegText(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (stderr += s));
    child.on('error', (error) => reject(new UserError(`cannot run ffmpeg (${error.message}); set PATCHLAB_FFMPEG`)));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/** Reads a video's duration, frame rate and displayed size from what `ffmpeg -i` prints. */
export async function probeVideo(file: string): Promise<VideoInfo> {
  requireFile(file);
  const { stderr } = await ffmpegText(['-hide_banner', '-i', file]);
  const parsed = parseProbe(stderr);
  if (!parsed) {
    const reason = stderr.trim().split('\n').pop()?.replace(/^.*?: /, '') ?? 'unknown format';
    throw new UserError(`${file}: not a video ffmpeg can read (${reason.trim()})`);
  }
  return parsed;
}

/** Parses `ffmpeg -i` output; undefined when it names no video stream. */
export function parseProbe(text: string): VideoInfo | undefined {
  const stream = text.split('\n').find((line) => /Stream #\S+.*: Video: /.test(line));
  if (!stream) return undefined;
  const size = /, (\d{1,5})x(\d{1,5})[ ,[]/.exec(stream + ' ');
  if (!size) return undefined;
  const rate = /([\d.]+) fps/.exec(stream) ?? /([\d.]+) tbr/.exec(stream);
  const dur = /Duration: (\d+):(\d+):([\d.]+)/.exec(text);
  const rotate = /rotate\s*:\s*(-?\d+)/.exec(text);
  const turned = rotate !== null && Math.abs(Number(rotate[1])) % 180 === 90;
  const w = Number(size[1]);
  const h = Number(size[2]);
  return {
    duration: dur ? Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]) : 0,
    fps: rate ? Number(rate[1]) : 25,
    width: turned ? h : w,
    height: turned ? w : h,
  };
}

/** The size frames come out at: the displayed size, scaled down so its longer side fits `maxSide`. */
export function outputSize(info: VideoInfo, maxSide?: number): { width: number; height: number } {
  const longer = Math.max(info.width, info.height);
  if (!maxSide || longer <= maxSide) return { width: info.width, height: info.height };
  const s = maxSide / longer;
  return { width: Math.max(1, Math.round(info.width * s)), height: Math.max(1, Math.round(info.height * s)) };
}

/**
 * Streams decoded RGB frames of a video, one at a time: ffmpeg's pipe is read only as fast as
 * the caller consumes, so a long clip never sits in memory. Breaking out of the loop stops ffmpeg.
 */
export async function* readFrames(file: string, options: FrameOptions = {}): AsyncGenerator<VideoFrame> {
  const info = await probeVideo(file);
  if (options.every !== undefined && options.fps !== undefined) throw new UserError('--every and --fps: give one of them');
  if (options.every !== undefined && !(Number.isInteger(options.every) && options.every >= 1)) throw new UserError(`--every: expected a whole number >= 1, got ${options.every}`);
  if (options.fps !== undefined && !(options.fps > 0)) throw new UserError(`--fps: expected a positive number, got ${options.fps}`);
  const { width, height } = outputSize(info, options.maxSide);
  const start = options.start ?? 0;
  const filters: string[] = [];
  if (options.every !== undefined) filters.push(`select=not(mod(n\\,${options.every}))`);
  if (options.fps !== undefined) filters.push(`fps=${options.fps}`);
  filters.push(`scale=${width}:${height}`);
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
  if (start > 0) args.push('-ss', String(start));
  if (options.duration !== undefined) args.push('-t', String(options.duration));
  args.push('-i', file, '-vf', filters.join(','), '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');

  const child = spawn(ffmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => (stderr = (stderr + s).slice(-4096)));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  const failedToStart = new Promise<never>((_, reject) => child.on('error', (e) => reject(new UserError(`cannot run ffmpeg (${e.message}); set PATCHLAB_FFMPEG`))));
  failedToStart.catch(() => undefined);

  const frameBytes = width * height * 3;
  let frame = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  let count = 0;
  const timeOf = (i: number): number => start + (options.every !== undefined ? (i * options.every) / info.fps : options.fps !== undefined ? i / options.fps : i / info.fps);
  const indexOf = (i: number): number => (options.every !== undefined ? Math.round((start * info.fps) + i * options.every) : i);
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - offset);
        chunk.copy(frame, filled, offset, offset + take);
        filled += take;
        offset += take;
        if (filled === frameBytes) {
          const image: RasterImage = { width, height, channels: 3, data: new Uint8Array(frame.buffer, frame.byteOffset, frameBytes) };
          yield { index: indexOf(count), time: timeOf(count), image };
          count++;
          frame = Buffer.allocUnsafe(frameBytes);
          filled = 0;
        }
      }
    }
    const code = await Promise.race([exited, failedToStart]);
    finished = true;
    if (code !== 0) throw new UserError(`${file}: ffmpeg could not decode it (${stderr.trim().split('\n').pop() ?? `exit ${code}`})`);
  } finally {
    if (!finished) child.kill('SIGKILL');
  }
}

/** The frame nearest to `seconds`, as RGB. */
export async function frameAt(file: string, seconds: number): Promise<RasterImage> {
  for await (const frame of readFrames(file, { start: Math.max(0, seconds), duration: 1 })) return frame.image;
  throw new UserError(`${file}: no frame at ${seconds.toFixed(2)} s`);
}

/**
 * `count` frames spread evenly over the video, each from its own stretch of time (what
 * enrolment and scene sets want: different moments, not neighbouring frames).
 */
export async function spreadFrames(file: string, count: number, options: { maxSide?: number } = {}): Promise<VideoFrame[]> {
  if (!(Number.isInteger(count) && count >= 1)) throw new UserError(`frame count: expected a whole number >= 1, got ${count}`);
  const info = await probeVideo(file);
  if (!(info.duration > 0)) throw new UserError(`${file}: the video does not say how long it is`);
  const frames: VideoFrame[] = [];
  for (let i = 0; i < count; i++) {
    const time = ((i + 0.5) / count) * info.duration;
    for await (const frame of readFrames(file, { start: time, duration: 1, maxSide: options.maxSide })) {
      frames.push({ ...frame, index: Math.round(time * info.fps), time });
      break;
    }
  }
  return frames;
}
