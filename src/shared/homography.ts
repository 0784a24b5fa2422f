/**
 * Plane projective geometry, pure and shared: the compositor, the chart calibration and the app's
 * webcam preview all map quads through these (one homography for the project).
 */

/** A point in pixels: [x, y]. */
export type Point = readonly [number, number];
/** Four corners in the order top-left, top-right, bottom-right, bottom-left of the patch. */
export type Quad = readonly [Point, Point, Point, Point];
/** A 3x3 matrix, row-major. */
export type Mat3 = Float64Array;

/** Four points as a quad (a homography needs exactly four pairs). */
export function asQuad(points: readonly Point[]): Quad {
  if (points.length !== 4) throw new Error(`a homography needs exactly 4 point pairs, got ${points.length}`);
  return [points[0], points[1], points[2], points[3]];
}

export function rectQuad(x0: number, y0: number, x1: number, y1: number): Quad {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}

/** The homography H with H·src[i] ~ dst[i] for the four corners (direct linear transform, h33 = 1); throws on a degenerate quad. */
export function homographyFromQuads(src: Quad, dst: Quad): Mat3 {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = src[i];
    const [u, v] = dst[i];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  const h = solve8(a);
  return Float64Array.from([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1]);
}

/** Gaussian elimination with partial pivoting on an 8x9 augmented matrix. */
function solve8(a: number[][]): number[] {
  const n = 8;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (Math.abs(a[pivot][col]) < 1e-12) throw new Error('degenerate quad: three corners are collinear');
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      if (f === 0) continue;
      for (let c = col; c <= n; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}

export function multiply3(a: Mat3, b: Mat3): Mat3 {
  const m = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m[r * 3 + c] = a[r * 3] * b[c] + a[r * 3 + 1] * b[3 + c] + a[r * 3 + 2] * b[6 + c];
  }
  return m;
}

/** The inverse of a 3x3 matrix (row-major): homographies here, colour-space matrices in color/colorimetry.ts. */
export function invert3(m: ArrayLike<number>): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = Array.from(m);
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-18) throw new Error('singular homography');
  const s = 1 / det;
  return Float64Array.from([A * s, -(b * i - c * h) * s, (b * f - c * e) * s, B * s, (a * i - c * g) * s, -(a * f - c * d) * s, C * s, -(a * h - b * g) * s, (a * e - b * d) * s]);
}

export function applyH(m: ArrayLike<number>, x: number, y: number): [number, number] {
  const w = m[6] * x + m[7] * y + m[8];
  return [(m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w];
}

export function mapQuad(m: Mat3, q: Quad): Quad {
  return [applyH(m, ...q[0]), applyH(m, ...q[1]), applyH(m, ...q[2]), applyH(m, ...q[3])];
}

export function quadCentre(q: Quad): [number, number] {
  return [(q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4, (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4];
}

/** Area by the shoelace formula (positive for clockwise corners in image coordinates). */
export function quadArea(q: Quad): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    const [x0, y0] = q[i];
    const [x1, y1] = q[(i + 1) % 4];
    s += x0 * y1 - x1 * y0;
  }
  return Math.abs(s) / 2;
}

/** Integer pixel bounds [x0, y0, x1, y1) of a quad, clipped to a width x height image. */
export function quadBounds(q: Quad, width: number, height: number, pad = 1): [number, number, number, number] {
  const xs = q.map((p) => p[0]);
  const ys = q.map((p) => p[1]);
  return [
    Math.max(0, Math.floor(Math.min(...xs)) - pad),
    Math.max(0, Math.floor(Math.min(...ys)) - pad),
    Math.min(width, Math.ceil(Math.max(...xs)) + pad),
    Math.min(height, Math.ceil(Math.max(...ys)) + pad),
  ];
}
