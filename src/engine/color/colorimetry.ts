/** sRGB <-> CIE XYZ (D50, as ICC profiles use) <-> CIELAB, for gamut checks and colour errors. */

import { invert3 } from '../../shared/homography';

export type Vec3 = [number, number, number];

export const D50_WHITE: Vec3 = [0.9642, 1, 0.8251];

export function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

export function linearToSrgb(v: number): number {
  return v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
}

// sRGB primaries adapted to D50 with the Bradford transform (the matrix ICC sRGB profiles carry).
const SRGB_TO_XYZ_D50 = [0.4360747, 0.3850649, 0.1430804, 0.2225045, 0.7168786, 0.0606169, 0.0139322, 0.0971045, 0.7141733];
const XYZ_D50_TO_SRGB = invert3(SRGB_TO_XYZ_D50);

function mul3(m: ArrayLike<number>, v: Vec3): Vec3 {
  return [m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2], m[6] * v[0] + m[7] * v[1] + m[8] * v[2]];
}

/** sRGB in [0,1] -> XYZ (D50, Y of white = 1). */
export function srgbToXyz(rgb: Vec3): Vec3 {
  return mul3(SRGB_TO_XYZ_D50, [srgbToLinear(rgb[0]), srgbToLinear(rgb[1]), srgbToLinear(rgb[2])]);
}

/** XYZ (D50) -> sRGB, not clipped: values outside [0,1] mean out of the sRGB gamut. */
export function xyzToSrgb(xyz: Vec3): Vec3 {
  const lin = mul3(XYZ_D50_TO_SRGB, xyz);
  return [lin[0], lin[1], lin[2]].map((v) => (v < 0 ? -linearToSrgb(-v) : linearToSrgb(v))) as Vec3;
}

const EPSILON = 216 / 24389;
const KAPPA = 24389 / 27;

export function xyzToLab(xyz: Vec3, white: Vec3 = D50_WHITE): Vec3 {
  const f = (t: number): number => (t > EPSILON ? Math.cbrt(t) : (KAPPA * t + 16) / 116);
  const fx = f(xyz[0] / white[0]);
  const fy = f(xyz[1] / white[1]);
  const fz = f(xyz[2] / white[2]);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

export function labToXyz(lab: Vec3, white: Vec3 = D50_WHITE): Vec3 {
  const fy = (lab[0] + 16) / 116;
  const fx = fy + lab[1] / 500;
  const fz = fy - lab[2] / 200;
  const inv = (t: number): number => (t ** 3 > EPSILON ? t ** 3 : (116 * t - 16) / KAPPA);
  const y = lab[0] > KAPPA * EPSILON ? fy ** 3 : lab[0] / KAPPA;
  return [white[0] * inv(fx), white[1] * y, white[2] * inv(fz)];
}

export function srgbToLab(rgb: Vec3): Vec3 {
  return xyzToLab(srgbToXyz(rgb));
}

export function deltaE76(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
