import type { ViewParams } from './eot';
import { applyH, homographyFromQuads, mapQuad, multiply3, quadCentre, rectQuad, type Mat3, type Point, type Quad } from '../../shared/homography';

const DEG = Math.PI / 180;
/** Camera distance in half-patch units; smaller exaggerates perspective. */
const CAMERA_DISTANCE = 4;

/**
 * The corners of a patch of aspect w:h seen tilted by `tilt` degrees about an in-plane axis at
 * `axis` degrees, through a pinhole camera: a rectangle centred at the origin, projected.
 */
export function tiltedRect(aspect: number, tilt: number, axis: number): Quad {
  const hw = aspect >= 1 ? 1 : aspect;
  const hh = aspect >= 1 ? 1 / aspect : 1;
  const corners: Point[] = [
    [-hw, -hh],
    [hw, -hh],
    [hw, hh],
    [-hw, hh],
  ];
  if (tilt === 0) return corners as unknown as Quad;
  const ax = Math.cos(axis * DEG);
  const ay = Math.sin(axis * DEG);
  const s = Math.sin(tilt * DEG);
  const c = Math.cos(tilt * DEG);
  return corners.map(([x, y]) => {
    // Rodrigues rotation of (x, y, 0) about the unit axis (ax, ay, 0).
    const dot = x * ax + y * ay;
    const cross = ay * x - ax * y; // z of axis × p
    const rx = x * c + ax * dot * (1 - c);
    const ry = y * c + ay * dot * (1 - c);
    const rz = -cross * s;
    const f = CAMERA_DISTANCE / (CAMERA_DISTANCE + rz);
    return [rx * f, ry * f] as Point;
  }) as unknown as Quad;
}

/** The canonical rectangle tiltedRect starts from, for an aspect w:h. */
export function canonicalRect(aspect: number): Quad {
  const hw = aspect >= 1 ? 1 : aspect;
  const hh = aspect >= 1 ? 1 / aspect : 1;
  return rectQuad(-hw, -hh, hw, hh);
}

/**
 * Where a patch lands in one view: the placement quad, tilted out of plane, then rotated,
 * scaled and shifted about its centre in image pixels.
 */
export function viewQuad(base: Quad, aspect: number, view: ViewParams): Quad {
  const toBase = homographyFromQuads(canonicalRect(aspect), base);
  const tilted = tiltedRect(aspect, view.tilt, view.tiltAxis).map(([x, y]) => applyH(toBase, x, y));
  const [cx, cy] = quadCentre(base);
  const size = Math.sqrt(Math.abs(shoelace(base)));
  const cos = Math.cos(view.rotation * DEG) * view.scale;
  const sin = Math.sin(view.rotation * DEG) * view.scale;
  const tx = cx + view.jitter[0] * size;
  const ty = cy + view.jitter[1] * size;
  return tilted.map(([x, y]) => [cos * (x - cx) - sin * (y - cy) + tx, sin * (x - cx) + cos * (y - cy) + ty] as Point) as unknown as Quad;
}

function shoelace(q: Quad): number {
  let s = 0;
  for (let i = 0; i < 4; i++) s += q[i][0] * q[(i + 1) % 4][1] - q[(i + 1) % 4][0] * q[i][1];
  return s / 2;
}

/**
 * Scene pixels to view pixels: the photo window the view sees (crop, then mirror) zoomed to
 * the full image, then the camera moving around it (rotation and scale about the image
 * centre, then a shift). Undefined when the view is the photo as it is.
 */
export function viewHomography(view: ViewParams, width: number, height: number): Mat3 | undefined {
  const moved = view.viewRotation !== 0 || view.viewScale !== 1 || view.viewShift[0] !== 0 || view.viewShift[1] !== 0;
  const cropped = view.crop !== 1 || view.flip;
  if (!moved && !cropped) return undefined;
  const cx = width / 2;
  const cy = height / 2;
  const cos = Math.cos(view.viewRotation * DEG) * view.viewScale;
  const sin = Math.sin(view.viewRotation * DEG) * view.viewScale;
  const tx = cx + view.viewShift[0] * width;
  const ty = cy + view.viewShift[1] * height;
  const camera = Float64Array.from([cos, -sin, tx - cos * cx + sin * cy, sin, cos, ty - sin * cx - cos * cy, 0, 0, 1]);
  if (!cropped) return camera;
  const zoom = 1 / view.crop;
  const x0 = view.cropAt[0] * (1 - view.crop) * width;
  const y0 = view.cropAt[1] * (1 - view.crop) * height;
  const window = view.flip ? Float64Array.from([-zoom, 0, width + zoom * x0, 0, zoom, -zoom * y0, 0, 0, 1]) : Float64Array.from([zoom, 0, -zoom * x0, 0, zoom, -zoom * y0, 0, 0, 1]);
  return multiply3(camera, window);
}

/**
 * A placement quad as a view sees it. A mirrored view mirrors where the patch goes but not
 * the printed patch: its corners are re-paired so the texture keeps its handedness.
 */
export function placementInView(toView: Mat3 | undefined, quad: Quad): Quad {
  if (!toView) return quad;
  const q = mapQuad(toView, quad);
  const mirrored = toView[0] * toView[4] - toView[1] * toView[3] < 0;
  return mirrored ? ([q[1], q[0], q[3], q[2]] as unknown as Quad) : q;
}
