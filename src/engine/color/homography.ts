import { Matrix, solve } from 'ml-matrix';

export type Point = [number, number];

/** The 3x3 homography (row-major, h33 = 1) taking each `from[i]` to `to[i]` (4 point pairs). */
export function homographyFromPoints(from: Point[], to: Point[]): number[] {
  if (from.length !== 4 || to.length !== 4) throw new Error('a homography needs exactly 4 point pairs');
  const a = new Matrix(8, 8);
  const b = new Matrix(8, 1);
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i];
    const [u, v] = to[i];
    a.setRow(2 * i, [x, y, 1, 0, 0, 0, -u * x, -u * y]);
    a.setRow(2 * i + 1, [0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.set(2 * i, 0, u);
    b.set(2 * i + 1, 0, v);
  }
  const h = solve(a, b).to1DArray();
  return [...h, 1];
}

export function applyHomography(h: number[], [x, y]: Point): Point {
  const w = h[6] * x + h[7] * y + h[8];
  return [(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w];
}
