import { applyH, homographyFromQuads, rectQuad } from '../../../shared/homography';

/** A point in canvas pixels. */
export interface Point {
  x: number;
  y: number;
}

/** Corners in order: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];

const UNIT_SQUARE = rectQuad(0, 0, 1, 1);

/**
 * The 3x3 homography (row-major, h[8] = 1) taking the unit square's corners
 * (0,0),(1,0),(1,1),(0,1) to the quad's corners (the engine's homography, src/shared/homography.ts).
 */
export function squareToQuad(q: Quad): number[] {
  return Array.from(homographyFromQuads(UNIT_SQUARE, [toXY(q[0]), toXY(q[1]), toXY(q[2]), toXY(q[3])]));
}

export function applyHomography(m: number[], u: number, v: number): Point {
  const [x, y] = applyH(m, u, v);
  return { x, y };
}

const toXY = (p: Point): [number, number] => [p.x, p.y];

/** The affine map taking triangle (s0,s1,s2) to (d0,d1,d2), as canvas setTransform arguments. */
export function triangleAffine(s: [Point, Point, Point], d: [Point, Point, Point]): [number, number, number, number, number, number] {
  const [a, b, c] = s;
  const det = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y);
  const m11 = ((d[1].x - d[0].x) * (c.y - a.y) - (d[2].x - d[0].x) * (b.y - a.y)) / det;
  const m12 = ((d[2].x - d[0].x) * (b.x - a.x) - (d[1].x - d[0].x) * (c.x - a.x)) / det;
  const m21 = ((d[1].y - d[0].y) * (c.y - a.y) - (d[2].y - d[0].y) * (b.y - a.y)) / det;
  const m22 = ((d[2].y - d[0].y) * (b.x - a.x) - (d[1].y - d[0].y) * (c.x - a.x)) / det;
  const dx = d[0].x - m11 * a.x - m12 * a.y;
  const dy = d[0].y - m21 * a.x - m22 * a.y;
  // setTransform(a, b, c, d, e, f) maps (x, y) to (a x + c y + e, b x + d y + f).
  return [m11, m21, m12, m22, dx, dy];
}

/**
 * Draws `image` (w x h) into `quad` with a perspective warp. Canvas 2D only does affine maps,
 * so the square is cut into a grid of cells, each drawn with the affine map through three of its
 * warped corners and clipped to its warped outline (grown half a pixel so neighbours overlap and
 * leave no hairline seams). At 12x12 cells the fourth corner is well under a pixel off.
 */
export function drawWarped(ctx: CanvasRenderingContext2D, image: CanvasImageSource, w: number, h: number, quad: Quad, cells = 12): void {
  let m: number[];
  try {
    m = squareToQuad(quad);
  } catch {
    return; // three corners in a line (a quad dragged flat): nothing to draw
  }
  const at = (i: number, j: number) => applyHomography(m, i / cells, j / cells);
  const src = (i: number, j: number): Point => ({ x: (i / cells) * w, y: (j / cells) * h });
  for (let j = 0; j < cells; j++) {
    for (let i = 0; i < cells; i++) {
      const d = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
      const cx = (d[0].x + d[1].x + d[2].x + d[3].x) / 4;
      const cy = (d[0].y + d[1].y + d[2].y + d[3].y) / 4;
      ctx.save();
      ctx.beginPath();
      d.forEach((p, k) => {
        const len = Math.hypot(p.x - cx, p.y - cy) || 1;
        const x = p.x + ((p.x - cx) / len) * 0.7;
        const y = p.y + ((p.y - cy) / len) * 0.7;
        if (k === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.closePath();
      ctx.clip();
      ctx.setTransform(...triangleAffine([src(i, j), src(i + 1, j), src(i, j + 1)], [d[0], d[1], d[3]]));
      ctx.drawImage(image, 0, 0);
      ctx.restore();
    }
  }
}

/** A square quad of side `side` centred at (cx, cy). */
export function squareQuad(cx: number, cy: number, side: number): Quad {
  const r = side / 2;
  return [
    { x: cx - r, y: cy - r },
    { x: cx + r, y: cy - r },
    { x: cx + r, y: cy + r },
    { x: cx - r, y: cy + r },
  ];
}

/** A glasses quad from the two eye centres: width 2.4x the eye distance, aspect of the frame image. */
export function eyesQuad(left: Point, right: Point, aspect: number): Quad {
  const dx = right.x - left.x;
  const dy = right.y - left.y;
  const dist = Math.hypot(dx, dy);
  const ux = dx / dist;
  const uy = dy / dist;
  const halfW = dist * 1.2;
  const halfH = halfW / aspect;
  const cx = (left.x + right.x) / 2;
  const cy = (left.y + right.y) / 2;
  const corner = (sx: number, sy: number): Point => ({ x: cx + sx * halfW * ux - sy * halfH * uy, y: cy + sx * halfW * uy + sy * halfH * ux });
  return [corner(-1, -1), corner(1, -1), corner(1, 1), corner(-1, 1)];
}
