import { existsSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';
import { UserError } from '../errors';
import { renderChart } from '../evaluate/plots';
import { writeFileAtomic } from '../fs/atomic';
import type { RasterImage } from '../image/image';
import { loadModel } from '../models/loaded';
import { predictImages } from '../models/predict';
import { RUN_FILES } from '../runs/store';
import { probeVideo, readFrames } from '../video/frames';
import { matchTemplate, templatesAt, toGrey, type Grey } from './template';

export interface TrialOptions {
  model: string;
  className: string;
  /** A run folder (or patch PNG) whose patch is looked for in each frame. */
  run?: string;
  every?: number;
  /** Frames per second to score (default: 2). */
  fps?: number;
  /** Detections at or above this score count (the model's threshold by default). */
  minScore?: number;
  /** Where trial.json, the plot and the contact sheet go (default: VIDEO.trial beside the video). */
  out?: string;
  /** Frames on the contact sheet. */
  sheet?: number;
  onProgress?: (frames: number) => void;
}

export interface TrialFrame {
  index: number;
  time: number;
  detected: boolean;
  /** Objects of the class at or above the score. */
  count: number;
  /** Highest score of the class in the frame (0 when none). */
  score: number;
  /** Where the patch best matches (frame pixels) and how well (normalised correlation), with --run. */
  patch?: { box: [number, number, number, number]; score: number };
}

export interface TrialReport {
  video: string;
  model: string;
  class: string;
  minScore: number;
  frames: TrialFrame[];
  /** Fraction of scored frames where the class is detected. */
  rate: number;
  /** With --run: frames where the patch was found (correlation >= PATCH_FOUND). */
  patchFound?: number;
  files: string[];
  notes: string[];
}

/** Normalised correlation at which a frame counts as showing the patch. */
export const PATCH_FOUND = 0.5;
const MATCH_WIDTH = 192;

/**
 * Scores a recorded trial: for every sampled frame, is the class detected (and where the patch
 * is, given a run), the detection rate over the clip, a plot of detection over time and a
 * contact sheet. Frames stream through ffmpeg one at a time.
 */
export async function runTrial(video: string, options: TrialOptions): Promise<TrialReport> {
  const info = await probeVideo(video);
  const model = await loadModel(options.model);
  if (model.head.kind !== 'detector') throw new UserError(`--model: ${model.name} is not a detector (trial scores detections of --class)`);
  const cls = (model.labels ?? []).indexOf(options.className);
  if (cls < 0) throw new UserError(`--class: ${model.name} has no class '${options.className}'`);
  const minScore = options.minScore ?? Number((model.head.options.minScore as number | undefined) ?? 0.3);
  const notes: string[] = [];
  const patchFile = options.run ? patchFileOf(options.run) : undefined;
  const sampling = options.every !== undefined ? { every: options.every } : { fps: options.fps ?? 2 };
  const expected = Math.max(1, Math.round(options.every !== undefined ? (info.duration * info.fps) / options.every : info.duration * (options.fps ?? 2)));
  const sheetCount = options.sheet ?? 16;
  const stride = Math.max(1, Math.ceil(expected / sheetCount));
  const matchHeight = Math.round((MATCH_WIDTH * info.height) / info.width);
  const templates = patchFile ? await templatesAt(patchFile, [0.06, 0.09, 0.13, 0.18, 0.25, 0.35].map((f) => Math.round(f * MATCH_WIDTH))) : [];
  const frames: TrialFrame[] = [];
  const tiles: { frame: TrialFrame; png: Buffer }[] = [];
  for await (const f of readFrames(video, { ...sampling, maxSide: 1280 })) {
    const [p] = await predictImages(model, [{ name: `frame ${f.index}`, image: f.image }]);
    const mine = (p.detections ?? []).filter((d) => d.classIndex === cls && d.score >= minScore);
    const frame: TrialFrame = { index: f.index, time: Number(f.time.toFixed(3)), detected: mine.length > 0, count: mine.length, score: Number(Math.max(0, ...(p.detections ?? []).filter((d) => d.classIndex === cls).map((d) => d.score)).toFixed(4)) };
    if (templates.length > 0) {
      const grey: Grey = await toGrey(f.image, MATCH_WIDTH);
      const m = matchTemplate(grey, templates);
      if (m) {
        const k = f.image.width / MATCH_WIDTH;
        frame.patch = { box: m.box.map((v, i) => Number((v * (i % 2 === 0 ? k : (f.image.height / matchHeight))).toFixed(1))) as [number, number, number, number], score: Number(m.score.toFixed(3)) };
      }
    }
    frames.push(frame);
    if ((frames.length - 1) % stride === 0 && tiles.length < sheetCount) tiles.push({ frame, png: await tile(f.image, frame, mine.map((d) => d.box)) });
    options.onProgress?.(frames.length);
  }
  if (frames.length === 0) throw new UserError(`${video}: no frames to score`);
  if (!patchFile) notes.push('no --run: the patch is not looked for');
  const rate = frames.filter((f) => f.detected).length / frames.length;
  const out = resolve(options.out ?? join(dirname(video), `${basename(video, extname(video))}.trial`));
  const report: TrialReport = {
    video: resolve(video),
    model: model.name,
    class: options.className,
    minScore,
    frames,
    rate,
    ...(patchFile ? { patchFound: frames.filter((f) => (f.patch?.score ?? 0) >= PATCH_FOUND).length / frames.length } : {}),
    files: [],
    notes,
  };
  const chart = await renderChart(detectionChart(report));
  const files: Record<string, string | Buffer> = { 'trial-detection.svg': chart.svg, 'trial-detection.png': chart.png, 'trial-sheet.png': await contactSheet(tiles) };
  for (const [name, data] of Object.entries(files)) writeFileAtomic(join(out, name), data);
  report.files = ['trial.json', ...Object.keys(files)].map((f) => join(out, f));
  writeFileAtomic(join(out, 'trial.json'), JSON.stringify(report, null, 2) + '\n');
  return report;
}

function patchFileOf(run: string): string {
  if (!existsSync(run)) throw new UserError(`--run: ${run}: no such run folder or patch image`);
  const file = run.toLowerCase().endsWith('.png') ? run : join(run, RUN_FILES.patch);
  if (!existsSync(file)) throw new UserError(`--run: ${run} has no ${RUN_FILES.patch}`);
  return file;
}

/** The class's top score over time, with the threshold, and detected frames marked. */
export function detectionChart(r: TrialReport): TopLevelSpec {
  const rows = r.frames.map((f) => ({ time: f.time, score: f.score, state: f.detected ? `${r.class} detected` : 'not detected', ...(f.patch ? { patch: f.patch.score } : {}) }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${r.model}: ${r.class} detected in ${(r.rate * 100).toFixed(0)}% of ${r.frames.length} frames`,
    width: 520,
    height: 180,
    data: { values: rows },
    layer: [
      { mark: { type: 'line', color: '#8c8c8c' }, encoding: { x: { field: 'time', type: 'quantitative', title: 'seconds' }, y: { field: 'score', type: 'quantitative', title: `top ${r.class} score`, scale: { domain: [0, 1] } } } },
      { mark: { type: 'point', filled: true }, encoding: { x: { field: 'time', type: 'quantitative' }, y: { field: 'score', type: 'quantitative' }, color: { field: 'state', type: 'nominal', title: null, scale: { domain: [`${r.class} detected`, 'not detected'], range: ['#1f77b4', '#d62728'] } } } },
      { mark: { type: 'rule', strokeDash: [4, 4], color: '#555' }, encoding: { y: { datum: r.minScore } } },
    ],
  } as TopLevelSpec;
}

const TILE_WIDTH = 240;

async function tile(image: RasterImage, frame: TrialFrame, boxes: readonly [number, number, number, number][]): Promise<Buffer> {
  const k = TILE_WIDTH / image.width;
  const h = Math.round(image.height * k);
  const rect = (b: readonly number[], colour: string): string => `<rect x="${b[0] * k}" y="${b[1] * k}" width="${(b[2] - b[0]) * k}" height="${(b[3] - b[1]) * k}" fill="none" stroke="${colour}" stroke-width="2"/>`;
  const caption = `${frame.time.toFixed(1)} s  ${frame.detected ? `detected ${(frame.score * 100).toFixed(0)}%` : 'not detected'}`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${TILE_WIDTH}" height="${h + 18}">${boxes.map((b) => rect(b, '#1f77b4')).join('')}${frame.patch && frame.patch.score >= PATCH_FOUND ? rect(frame.patch.box, '#d62728') : ''}<rect y="${h}" width="${TILE_WIDTH}" height="18" fill="${frame.detected ? '#1f77b4' : '#d62728'}"/><text x="4" y="${h + 13}" font-family="sans-serif" font-size="12" fill="white">${caption}</text></svg>`;
  const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } }).resize(TILE_WIDTH, h).extend({ bottom: 18, background: '#000000' }).png().toBuffer();
  return sharp(resized).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).png().toBuffer();
}

async function contactSheet(tiles: readonly { png: Buffer }[], columns = 4): Promise<Buffer> {
  const metas = await Promise.all(tiles.map((t) => sharp(t.png).metadata()));
  const h = Math.max(...metas.map((m) => m.height ?? 0));
  const rows = Math.ceil(tiles.length / columns);
  return sharp({ create: { width: columns * TILE_WIDTH, height: rows * h, channels: 3, background: '#ffffff' } })
    .composite(tiles.map((t, i) => ({ input: t.png, left: (i % columns) * TILE_WIDTH, top: Math.floor(i / columns) * h })))
    .png()
    .toBuffer();
}
