/**
 * How light and the camera's response change the patch's colours in one view:
 * y_c = gain_c · (contrast · (x^gamma − 0.5) + 0.5) + brightness.
 */
export interface Lighting {
  brightness: number;
  contrast: number;
  gamma: number;
  gain: readonly [number, number, number];
}

export const NEUTRAL_LIGHTING: Lighting = { brightness: 0, contrast: 1, gamma: 1, gain: [1, 1, 1] };

/** x^gamma is undefined in slope at 0 for gamma < 1; the floor keeps it finite. */
const FLOOR = 1e-4;

/** x^gamma for x > 0 through exp and log: V8's Math.pow is ~2-3x slower, and the compositor calls this per pixel. */
function power(x: number, gamma: number): number {
  return Math.exp(gamma * Math.log(x));
}

export function lightValue(x: number, c: number, l: Lighting): number {
  const xc = x < FLOOR ? FLOOR : x > 1 ? 1 : x;
  const p = l.gamma === 1 ? xc : power(xc, l.gamma);
  return l.gain[c] * (l.contrast * (p - 0.5) + 0.5) + l.brightness;
}

/** d(lightValue)/dx; zero where the input is clamped. */
export function lightSlope(x: number, c: number, l: Lighting): number {
  if (x < FLOOR || x > 1) return 0;
  const dp = l.gamma === 1 ? 1 : l.gamma * power(x, l.gamma - 1);
  return l.gain[c] * l.contrast * dp;
}

/** lightValue(x) and, into slopes[at], lightSlope(x), for the price of one power. */
export function lightValueAndSlope(x: number, c: number, l: Lighting, slopes: Float32Array, at: number): number {
  const xc = x < FLOOR ? FLOOR : x > 1 ? 1 : x;
  const p = l.gamma === 1 ? xc : power(xc, l.gamma);
  const k = l.gain[c] * l.contrast;
  slopes[at] = x < FLOOR || x > 1 ? 0 : l.gamma === 1 ? k : k * ((l.gamma * p) / xc);
  return l.gain[c] * (l.contrast * (p - 0.5) + 0.5) + l.brightness;
}
