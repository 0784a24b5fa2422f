import { contours } from 'd3-contour';
import simplify from 'simplify-js';

/** A closed outline in image pixel coordinates (0..width, 0..height; pixel i spans [i, i+1]). */
export type Ring = [number, number][];

export interface TraceOptions {
  /** Largest deviation allowed when simplifying the traced polyline, in pixels. */
  tolerance?: number;
  /** Outlines enclosing less than this many square pixels are specks, not shapes to cut. */
  minArea?: number;
}

/**
 * The outline of a mask at alpha 0.5: outer boundaries and holes (an eyeglass frame's lenses) as
 * closed rings, with sub-pixel edges from interpolating alpha (marching squares, d3-contour).
 */
export function traceMask(alpha: Uint8Array, width: number, height: number, options: TraceOptions = {}): Ring[] {
  const tolerance = options.tolerance ?? 0.25;
  const minArea = options.minArea ?? 4;
  const [level] = contours().size([width, height]).thresholds([127.5]).smooth(true)(Array.from(alpha));
  const rings: Ring[] = [];
  for (const polygon of level.coordinates) {
    for (const ring of polygon) {
      if (Math.abs(ringArea(ring as Ring)) < minArea) continue;
      const points = simplify(
        ring.map(([x, y]) => ({ x, y })),
        tolerance,
        true,
      );
      rings.push(points.map((p) => [p.x, p.y]));
    }
  }
  return rings;
}

export function ringArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  return sum / 2;
}

/** Alpha channel of interleaved RGBA pixels. */
export function alphaOf(rgba: Uint8Array): Uint8Array {
  const alpha = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < alpha.length; i++) alpha[i] = rgba[4 * i + 3];
  return alpha;
}
