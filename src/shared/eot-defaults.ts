/**
 * The default view distribution of the physical attacks (Expectation over Transformation), the
 * one place its numbers live: the engine's EotSchema, the app contract's EotRanges and the
 * Design form all take them from here.
 */
export const EOT_DEFAULTS = {
  /** In-plane rotation, ± degrees. */
  rotation: 20,
  /** Out-of-plane tilt, ± degrees. */
  tilt: 30,
  /** Patch size relative to its placement. */
  scale: [0.8, 1.2] as [number, number],
  /** Added to the patch colours, ±. */
  brightness: 0.15,
  /** Contrast factor range. */
  contrast: [0.8, 1.2] as [number, number],
  /** Sensor noise std, up to. */
  noise: 0.03,
  /** Camera blur sigma range, model-input pixels. */
  blur: [0, 1] as [number, number],
};
