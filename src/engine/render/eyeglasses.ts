import sharp from 'sharp';
import { loadEyeglassFrame as loadFrameGeometry, type EyeglassFrameName } from '../masks/eyeglasses';
import { makePlane, type Plane } from './texture';

/** Where the eyes sit behind the lenses, in mask pixels. */
export interface EyeAnchors {
  left: [number, number];
  right: [number, number];
}

/**
 * A shipped eyeglass-frame silhouette (resources/masks, see src/engine/masks/eyeglasses.ts)
 * rasterised with its longer side `size` pixels: alpha = frame, lenses transparent, and the
 * lens centres (where the eyes go) in the same pixels.
 */
export async function loadEyeglassFrame(size: number, name: EyeglassFrameName = 'classic'): Promise<{ mask: Plane; anchors: EyeAnchors }> {
  const { geometry, svg } = loadFrameGeometry(name);
  const [vx, vy, vw, vh] = geometry.viewBox;
  const scale = size / Math.max(vw, vh);
  const w = Math.max(1, Math.round(vw * scale));
  const h = Math.max(1, Math.round(vh * scale));
  const data = await sharp(Buffer.from(svg), { density: 300 }).resize(w, h, { fit: 'fill' }).ensureAlpha().raw().toBuffer();
  const mask = makePlane(w, h, 1);
  for (let p = 0; p < w * h; p++) mask.data[p] = data[p * 4 + 3] / 255;
  const at = ([x, y]: readonly [number, number]): [number, number] => [(x - vx) * (w / vw), (y - vy) * (h / vh)];
  return { mask, anchors: { left: at(geometry.lensCenters.left), right: at(geometry.lensCenters.right) } };
}
