import type { EotRanges } from '../../../shared/jobs';
import { drawWarped, type Point, type Quad } from './warp';

/** A small seeded generator (mulberry32) so "resample" is reproducible per seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface EotSample {
  rotationDeg: number;
  tiltDeg: number;
  /** Which axis the plane tilts about, in degrees. */
  tiltAxisDeg: number;
  scale: number;
  brightness: number;
  contrast: number;
  noise: number;
  blur: number;
}

const uniform = (r: () => number, lo: number, hi: number) => lo + (hi - lo) * r();

export function sampleEot(r: () => number, e: EotRanges): EotSample {
  return {
    rotationDeg: uniform(r, -e.rotation, e.rotation),
    tiltDeg: uniform(r, -e.tilt, e.tilt),
    tiltAxisDeg: uniform(r, 0, 180),
    scale: uniform(r, Math.min(e.scaleMin, e.scaleMax), Math.max(e.scaleMin, e.scaleMax)),
    brightness: uniform(r, -e.brightness, e.brightness),
    contrast: uniform(r, -e.contrast, e.contrast),
    noise: uniform(r, 0, e.noise),
    blur: uniform(r, 0, e.blur),
  };
}

/**
 * Where a square patch of side `side` centred at (cx, cy) lands under a sample: rotated in
 * plane, scaled, and seen from a tilted viewpoint (a plane rotated about an in-plane axis,
 * projected with a focal length of 3 sides).
 */
export function sampleQuad(cx: number, cy: number, side: number, s: EotSample): Quad {
  const half = (side * s.scale) / 2;
  const rot = (s.rotationDeg * Math.PI) / 180;
  const tilt = (s.tiltDeg * Math.PI) / 180;
  const axis = (s.tiltAxisDeg * Math.PI) / 180;
  const focal = side * 3;
  const corners: Point[] = [
    { x: -half, y: -half },
    { x: half, y: -half },
    { x: half, y: half },
    { x: -half, y: half },
  ];
  return corners.map(({ x, y }) => {
    // In-plane rotation.
    const xr = x * Math.cos(rot) - y * Math.sin(rot);
    const yr = x * Math.sin(rot) + y * Math.cos(rot);
    // Tilt: rotate about the axis direction; the perpendicular component leaves the plane.
    const ax = Math.cos(axis);
    const ay = Math.sin(axis);
    const along = xr * ax + yr * ay;
    const across = -xr * ay + yr * ax;
    const acrossInPlane = across * Math.cos(tilt);
    const depth = across * Math.sin(tilt);
    const px = along * ax - acrossInPlane * ay;
    const py = along * ay + acrossInPlane * ax;
    const k = focal / (focal + depth);
    return { x: cx + px * k, y: cy + py * k };
  }) as Quad;
}

/**
 * The patch under one sample's lighting, as the engine's compositor lights it
 * (y = contrast · (x − 0.5) + 0.5 + brightness; the engine also varies gamma and white balance).
 */
export function litPatch(patch: HTMLCanvasElement, s: EotSample): HTMLCanvasElement {
  const out = document.createElement('canvas');
  out.width = patch.width;
  out.height = patch.height;
  const ctx = out.getContext('2d');
  const src = patch.getContext('2d')?.getImageData(0, 0, patch.width, patch.height);
  if (!ctx || !src) return patch;
  const contrast = 1 + s.contrast;
  const add = (0.5 - 0.5 * contrast + s.brightness) * 255;
  for (let i = 0; i < src.data.length; i += 4) {
    src.data[i] = src.data[i] * contrast + add;
    src.data[i + 1] = src.data[i + 1] * contrast + add;
    src.data[i + 2] = src.data[i + 2] * contrast + add;
  }
  ctx.putImageData(src, 0, 0);
  return out;
}

/** Draws one EOT sample: the scene, the lit patch warped into place, then camera blur and noise. */
export function renderSample(ctx: CanvasRenderingContext2D, scene: CanvasImageSource, patch: HTMLCanvasElement, w: number, h: number, place: { cx: number; cy: number; side: number }, s: EotSample, r: () => number): void {
  const frame = document.createElement('canvas');
  frame.width = w;
  frame.height = h;
  const fctx = frame.getContext('2d');
  if (!fctx) return;
  fctx.drawImage(scene, 0, 0, w, h);
  drawWarped(fctx, litPatch(patch, s), patch.width, patch.height, sampleQuad(place.cx, place.cy, place.side, s), 8);
  // Blur acts on the whole camera image; sigma is in model-input pixels (512 wide here).
  ctx.save();
  ctx.filter = s.blur > 0.05 ? `blur(${(s.blur * (w / 512)).toFixed(2)}px)` : 'none';
  ctx.drawImage(frame, 0, 0);
  ctx.restore();
  if (s.noise > 0) {
    const img = ctx.getImageData(0, 0, w, h);
    // The sum of three uniforms has std 0.5: scale so the std is `noise` (in [0,1] units).
    const amp = s.noise * 255 * 2;
    for (let i = 0; i < img.data.length; i += 4) {
      const n = (r() + r() + r() - 1.5) * amp;
      img.data[i] += n;
      img.data[i + 1] += n;
      img.data[i + 2] += n;
    }
    ctx.putImageData(img, 0, 0);
  }
}

/** The starting patch before optimisation: mid-grey with a little seeded noise. */
export function startingPatch(size: number, shape: 'square' | 'rectangle' | 'circle', seed = 7): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = shape === 'rectangle' ? Math.round(size * 0.6) : size;
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const r = rng(seed);
  const img = ctx.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < img.data.length; i += 4) {
    img.data[i] = 90 + r() * 80;
    img.data[i + 1] = 90 + r() * 80;
    img.data[i + 2] = 90 + r() * 80;
    img.data[i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  if (shape === 'circle') {
    ctx.globalCompositeOperation = 'destination-in';
    ctx.beginPath();
    ctx.arc(size / 2, size / 2, size / 2, 0, Math.PI * 2);
    ctx.fill();
  }
  return canvas;
}
