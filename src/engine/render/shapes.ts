import sharp from 'sharp';
import { z } from 'zod';
import { UserError } from '../errors';
import { decodeImage } from '../image/image';
import { EYEGLASS_FRAMES } from '../masks/eyeglasses';
import { loadEyeglassFrame, type EyeAnchors } from './eyeglasses';
import { makePlane, type Plane } from './texture';

/** The outline of a patch: what part of its rectangle is printed and cut out. */
export const ShapeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('square') }),
  /** aspect = width / height. */
  z.object({ kind: z.literal('rectangle'), aspect: z.number().positive().max(20) }),
  z.object({ kind: z.literal('circle') }),
  /** An alpha mask image (PNG with transparency, or greyscale: white = patch). */
  z.object({ kind: z.literal('mask'), file: z.string() }),
  /** An eyeglass-frame silhouette shipped in resources/masks; `classic` when absent (runs made before `thick` existed). */
  z.object({ kind: z.literal('eyeglasses'), frame: z.enum(EYEGLASS_FRAMES).optional() }),
]);

export type PatchShape = z.infer<typeof ShapeSchema>;

export interface PatchMask {
  /** One channel, 1 = patch, 0 = transparent. */
  mask: Plane;
  /** For eyeglass frames: where the lens centres sit, in mask pixels. */
  anchors?: EyeAnchors;
}

/** `square`, `circle`, `rect:1.5`, `mask:FILE.png`, `eyeglasses` or `eyeglasses:thick|classic`, as the CLI takes it. */
export function parseShape(text: string): PatchShape {
  const [kind, arg] = text.split(/:(.*)/s, 2);
  switch (kind) {
    case 'square':
    case 'circle':
      return { kind };
    case 'eyeglasses': {
      if (arg === undefined) return { kind };
      const frame = EYEGLASS_FRAMES.find((f) => f === arg);
      if (!frame) throw new UserError(`--shape: '${text}' names no eyeglass frame (use ${EYEGLASS_FRAMES.map((f) => `eyeglasses:${f}`).join(', ')})`);
      return { kind, frame };
    }
    case 'rect':
    case 'rectangle': {
      const aspect = Number(arg ?? '1.5');
      if (!(aspect > 0)) throw new UserError(`--shape: '${text}' needs a positive aspect (width/height), e.g. rect:1.5`);
      return { kind: 'rectangle', aspect };
    }
    case 'mask':
      if (!arg) throw new UserError(`--shape: 'mask' needs a file, e.g. mask:heart.png`);
      return { kind: 'mask', file: arg };
    default:
      throw new UserError(`--shape: '${text}' is not one of square, circle, rect:ASPECT, mask:FILE, eyeglasses[:FRAME]`);
  }
}

export function describeShape(shape: PatchShape): string {
  switch (shape.kind) {
    case 'rectangle':
      return `rect:${shape.aspect}`;
    case 'mask':
      return `mask:${shape.file}`;
    case 'eyeglasses':
      return shape.frame ? `eyeglasses:${shape.frame}` : 'eyeglasses';
    default:
      return shape.kind;
  }
}

/** The mask of a shape with its longer side `size` pixels. */
export async function shapeMask(shape: PatchShape, size: number): Promise<PatchMask> {
  switch (shape.kind) {
    case 'square':
      return { mask: makePlane(size, size, 1, new Float32Array(size * size).fill(1)) };
    case 'rectangle': {
      const [w, h] = shape.aspect >= 1 ? [size, Math.max(1, Math.round(size / shape.aspect))] : [Math.max(1, Math.round(size * shape.aspect)), size];
      return { mask: makePlane(w, h, 1, new Float32Array(w * h).fill(1)) };
    }
    case 'circle':
      return { mask: disc(size) };
    case 'mask':
      return { mask: await imageMask(shape.file, size) };
    case 'eyeglasses':
      return loadEyeglassFrame(size, shape.frame);
  }
}

function disc(size: number): Plane {
  const m = makePlane(size, size, 1);
  const r = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // One pixel of antialiasing at the rim.
      m.data[y * size + x] = Math.min(1, Math.max(0, r - Math.hypot(x + 0.5 - r, y + 0.5 - r) + 0.5));
    }
  }
  return m;
}

/** Alpha from a PNG with transparency; from luminance when the image is opaque. */
async function imageMask(file: string, size: number): Promise<Plane> {
  const probe = await decodeImage(file, { alpha: true });
  let opaque = true;
  for (let i = 3; i < probe.data.length; i += 4) {
    if (probe.data[i] < 255) {
      opaque = false;
      break;
    }
  }
  const scale = size / Math.max(probe.width, probe.height);
  const w = Math.max(1, Math.round(probe.width * scale));
  const h = Math.max(1, Math.round(probe.height * scale));
  const { data } = await sharp(probe.data, { raw: { width: probe.width, height: probe.height, channels: 4 } })
    .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const m = makePlane(w, h, 1);
  for (let p = 0; p < w * h; p++) {
    m.data[p] = opaque ? (0.299 * data[p * 4] + 0.587 * data[p * 4 + 1] + 0.114 * data[p * 4 + 2]) / 255 : data[p * 4 + 3] / 255;
  }
  let covered = 0;
  for (const v of m.data) covered += v;
  if (covered < 1) throw new UserError(`${file}: the mask is empty (no opaque or white pixels)`);
  return m;
}
