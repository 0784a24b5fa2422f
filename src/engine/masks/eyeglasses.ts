/**
 * The eyeglass-frame silhouettes shipped in resources/masks: `classic` (eyeglasses.svg +
 * eyeglasses.json) and `thick` (eyeglasses-thick.*: the same geometry, heavy rims and smaller
 * lenses, as Sharif et al.'s frames).
 *
 * Stable format, shared by the physical-attack compositor (which rasterises the silhouette as its
 * glasses mask and places it from eye keypoints) and the PDF export (which prints it at a face
 * width). All coordinates are SVG user units of the viewBox, which are millimetres at the nominal
 * size (a face 140 mm wide):
 * - `lensCenters.left/right`: where the eyes go (left = smaller x, the wearer's right eye);
 * - `noseBridge`: centre of the bridge; `noseApex`: top of the nose arch;
 * - `templeFolds.left/right`: the two end points of each temple fold line (the hinge); the tabs
 *   beyond them are the temple stubs;
 * - `frameWidth`: distance between the fold lines; print scale = face width / frameWidth;
 * - a glasses run's patch.png spans the viewBox exactly; its alpha is the silhouette.
 * rasterizeEyeglassFrame(width) gives that alpha at any pixel width.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors';
import { resourcesDir } from '../paths';

const Point = z.tuple([z.number(), z.number()]);

export const EyeglassGeometrySchema = z.object({
  format: z.literal('patchlab-eyeglasses'),
  version: z.literal(1),
  svg: z.string(),
  viewBox: z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]),
  lensCenters: z.object({ left: Point, right: Point }),
  lensCenterDistance: z.number().positive(),
  noseBridge: Point,
  noseApex: Point,
  templeFolds: z.object({ left: z.tuple([Point, Point]), right: z.tuple([Point, Point]) }),
  frameWidth: z.number().positive(),
  nominalFaceWidthMm: z.number().positive(),
});

export type EyeglassGeometry = z.infer<typeof EyeglassGeometrySchema>;

export interface EyeglassFrame {
  geometry: EyeglassGeometry;
  /** The SVG document, ready for a rasteriser (sharp/librsvg). */
  svg: string;
  /** The frame outline as SVG path data (evenodd: outer contour, then the lens holes). */
  pathData: string;
}

export const EYEGLASS_FRAMES = ['classic', 'thick'] as const;
export type EyeglassFrameName = (typeof EYEGLASS_FRAMES)[number];

export function eyeglassesJsonPath(name: EyeglassFrameName = 'classic'): string {
  return join(resourcesDir(), 'masks', name === 'classic' ? 'eyeglasses.json' : `eyeglasses-${name}.json`);
}

const cached = new Map<EyeglassFrameName, EyeglassFrame>();

export function loadEyeglassFrame(name: EyeglassFrameName = 'classic'): EyeglassFrame {
  const hit = cached.get(name);
  if (hit) return hit;
  const jsonPath = eyeglassesJsonPath(name);
  const parsed = EyeglassGeometrySchema.safeParse(JSON.parse(readFileSync(jsonPath, 'utf8')));
  if (!parsed.success) throw new UserError(`${jsonPath}: not a patchlab eyeglass geometry (${parsed.error.issues[0]?.message})`);
  const svg = readFileSync(join(resourcesDir(), 'masks', parsed.data.svg), 'utf8');
  const match = /<path[^>]*\sid="frame"[^>]*\sd="([^"]+)"/s.exec(svg);
  if (!match) throw new UserError(`${parsed.data.svg}: no <path id="frame" d="..."> in the eyeglass silhouette`);
  const frame = { geometry: parsed.data, svg, pathData: match[1].replace(/\s+/g, ' ').trim() };
  cached.set(name, frame);
  return frame;
}

export interface EyeglassMask {
  width: number;
  height: number;
  /** Coverage 0-255 (anti-aliased), row-major: the frame opaque, lenses and background 0. */
  alpha: Uint8Array;
  /** Pixels per SVG unit: multiply geometry points by this to get pixel positions. */
  scale: number;
}

/** The silhouette as an alpha mask `width` pixels wide, spanning the viewBox exactly. */
export async function rasterizeEyeglassFrame(width: number, name: EyeglassFrameName = 'classic'): Promise<EyeglassMask> {
  const { svg, geometry } = loadEyeglassFrame(name);
  const [, , vw, vh] = geometry.viewBox;
  const height = Math.max(1, Math.round((width * vh) / vw));
  const { data } = await sharp(Buffer.from(svg)).resize(width, height, { fit: 'fill' }).ensureAlpha().extractChannel(3).raw().toBuffer({ resolveWithObject: true });
  return { width, height, alpha: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), scale: width / vw };
}
