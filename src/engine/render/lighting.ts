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

export function lightValue(x: number, c: number, l: Lighting): number {
  const xc = x < FLOOR ? FLOOR : x > 1 ? 1 : x;
  const p = l.gamma === 1 ? xc : Math.pow(xc, l.gamma);
  return l.gain[c] * (l.contrast * (p - 0.5) + 0.5) + l.brightness;
}

/** d(lightValue)/dx; zero where the input is clamped. */
export function lightSlope(x: number, c: number, l: Lighting): number {
  if (x < FLOOR || x > 1) return 0;
  const dp = l.gamma === 1 ? 1 : l.gamma * Math.pow(x, l.gamma - 1);
  return l.gain[c] * l.contrast * dp;
}
