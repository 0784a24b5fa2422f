/** A point in canvas pixels. */
export interface Point {
  x: number;
  y: number;
}

/** Corners in order: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];

/**
 * The 3x3 homography (row-major, h[8] = 1) taking the unit square's corners
 * (0,0),(1,0),(1,1),(0,1) to the quad's corners (Heckbert's closed form).
 */
export function squareToQuad(q: Quad): number[] {
  const [p0, p1, p2, p3] = q;
  const dx1 = p1.x - p2.x;
  const dx2 = p3.x - p2.x;
  const dy1 = p1.y - p2.y;
  const dy2 = p3.y - p2.y;
  const sx = p0.x - p1.x + p2.x - p3.x;
  const sy = p0.y - p1.y + p2.y - p3.y;
  let g = 0;
  let h = 0;
  if (sx !== 0 || sy !== 0) {
    const det = dx1 * dy2 - dx2 * dy1;
    g = (sx * dy2 - dx2 * sy) / det;
    h = (dx1 * sy - sx * dy1) / det;
  }
  return [p1.x - p0.x + g * p1.x, p3.x - p0.x + h * p3.x, p0.x, p1.y - p0.y + g * p1.y, p3.y - p0.y + h * p3.y, p0.y, g, h, 1];
}

export function applyHomography(m: number[], u: number, v: number): Point {
  const w = m[6] * u + m[7] * v + m[8];
  return { x: (m[0] * u + m[1] * v + m[2]) / w, y: (m[3] * u + m[4] * v + m[5]) / w };
}

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
  const m = squareToQuad(quad);
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
