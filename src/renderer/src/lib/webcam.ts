import type { ImagePrediction } from '../../../shared/predictions';
import type { Point } from './warp';

/** Predictions per second over a sliding window. */
export class RateMeter {
  private times: number[] = [];
  constructor(private readonly windowMs = 2000) {}
  tick(now = performance.now()): void {
    this.times.push(now);
    while (this.times.length > 0 && this.times[0] < now - this.windowMs) this.times.shift();
  }
  rate(now = performance.now()): number {
    const recent = this.times.filter((t) => t >= now - this.windowMs);
    if (recent.length < 2) return 0;
    return ((recent.length - 1) * 1000) / (recent[recent.length - 1] - recent[0]);
  }
}

/** Encodes what a canvas shows as JPEG: a frame near the model's size is ~20-40 KB, cheap to send and decode. */
export function encodeJpeg(canvas: HTMLCanvasElement, quality = 0.85): Promise<Uint8Array> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? blob.arrayBuffer().then((b) => resolve(new Uint8Array(b)), reject) : reject(new Error('could not encode the frame'))),
      'image/jpeg',
      quality,
    ),
  );
}

/**
 * The size frames are sent at. A model that stretches its input gets frames at exactly its size
 * (the canvas scales for free, and the engine then has nothing to resample); otherwise the
 * camera's aspect with the longest side at the model's (never upscaled), for the engine to letterbox.
 */
export function frameSize(videoW: number, videoH: number, model: { width?: number; height?: number; resize?: 'stretch' | 'letterbox' }): { width: number; height: number } {
  if (model.resize === 'stretch' && model.width && model.height) return { width: model.width, height: model.height };
  const side = Math.max(model.width ?? 512, model.height ?? 512);
  const scale = Math.min(1, side / Math.max(videoW, videoH));
  return { width: Math.max(1, Math.round(videoW * scale)), height: Math.max(1, Math.round(videoH * scale)) };
}

export interface DisplayItem {
  label: string;
  score: number;
  box?: [number, number, number, number];
}

/** One line per prediction for the list beside the video: detections, faces, or top classes. */
export function displayItems(p: ImagePrediction | undefined, minScore = 0.3): DisplayItem[] {
  if (!p) return [];
  if (p.detections) return p.detections.filter((d) => d.score >= minScore).map((d) => ({ label: d.label, score: d.score, box: d.box }));
  if (p.faces) return p.faces.filter((f) => f.score >= minScore).map((f) => ({ label: 'face', score: f.score, box: f.box }));
  if (p.top) return p.top.map((t) => ({ label: t.label, score: t.prob }));
  if (p.embedding) return [{ label: `embedding [${p.embedding.length}]`, score: 1 }];
  return (p.outputs ?? []).map((o) => ({ label: `${o.name} mean ${o.mean.toPrecision(3)}`, score: 1 }));
}

/** The two eye centres of the most confident face, in the frame's pixels. */
export function eyesOf(faces: ImagePrediction | undefined): { left: Point; right: Point } | undefined {
  const face = faces?.faces?.slice().sort((a, b) => b.score - a.score)[0];
  if (!face) return undefined;
  const find = (side: string) => face.keypoints.find((k) => k.name.toLowerCase().includes(side) && k.name.toLowerCase().includes('eye'));
  const l = find('left');
  const r = find('right');
  if (!l || !r) return undefined;
  // Image-left first, whatever the model calls subject-left.
  return l.x <= r.x ? { left: l, right: r } : { left: r, right: l };
}

const PALETTE = ['#ff5a5f', '#2fd27a', '#3aa0ff', '#ffb020', '#b36bff', '#00c2c7'];

export function colourFor(label: string): string {
  let h = 0;
  for (const c of label) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** Draws boxes and labels; boxes are in frame pixels, `scale` maps them to the display canvas. */
export function drawPredictions(ctx: CanvasRenderingContext2D, items: DisplayItem[], scale: { x: number; y: number }): void {
  ctx.save();
  ctx.lineWidth = 2;
  ctx.font = '600 13px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  for (const item of items) {
    if (!item.box) continue;
    const [x1, y1, x2, y2] = [item.box[0] * scale.x, item.box[1] * scale.y, item.box[2] * scale.x, item.box[3] * scale.y];
    const colour = colourFor(item.label);
    ctx.strokeStyle = colour;
    ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
    const text = `${item.label} ${(item.score * 100).toFixed(0)}%`;
    const w = ctx.measureText(text).width + 8;
    ctx.fillStyle = colour;
    ctx.fillRect(x1 - 1, Math.max(0, y1 - 18), w, 18);
    ctx.fillStyle = '#111';
    ctx.fillText(text, x1 + 3, Math.max(0, y1 - 18) + 2);
  }
  ctx.restore();
}

/**
 * RGBA canvas pixels packed as RGB: a quarter fewer bytes to cross the socket per frame, which
 * is what bounds the frame rate in Chromium (its WebSocket moves about 8 MB/s of frames here).
 */
export function packRgb(rgba: Uint8ClampedArray): Uint8Array {
  const n = rgba.length >> 2;
  const out = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const k = i << 2;
    out[j] = rgba[k];
    out[j + 1] = rgba[k + 1];
    out[j + 2] = rgba[k + 2];
  }
  return out;
}
