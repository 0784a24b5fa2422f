import { readFloatArraysFile, writeFloatArraysFile } from '../fs/float-arrays-file';

/** What a run needs to continue exactly where it stopped. */
export interface Checkpoint {
  /** Steps completed; the next step to run. */
  step: number;
  /** Texture size (texels) and the texture itself, planar RGB in [0, 1]. */
  width: number;
  height: number;
  texture: Float32Array;
  /** Optimiser state (Adam moments and step count). */
  optimiser: { t: number; m: Float32Array; v: Float32Array };
  /** Wall-clock milliseconds spent optimising before this checkpoint. */
  elapsedMs: number;
  /** Recent batch success rates (for early stopping). */
  recentSuccess: number[];
  /** The random streams are derived from (seed, step), so the seed is the whole RNG state. */
  rng: { seed: number; step: number };
}

const MAGIC = 'PLCK1\n';

/** One file, written atomically: a JSON header line, then the float arrays. */
export function writeCheckpoint(path: string, ck: Checkpoint): void {
  const header = { step: ck.step, width: ck.width, height: ck.height, t: ck.optimiser.t, elapsedMs: ck.elapsedMs, recentSuccess: ck.recentSuccess, rng: ck.rng };
  writeFloatArraysFile(path, MAGIC, header, [ck.texture, ck.optimiser.m, ck.optimiser.v]);
}

export function readCheckpoint(path: string): Checkpoint | undefined {
  const file = readFloatArraysFile<Omit<Checkpoint, 'texture' | 'optimiser'> & { t: number }>(path, MAGIC, 'patchlab checkpoint');
  if (!file) return undefined;
  const { header, arrays } = file;
  return {
    step: header.step,
    width: header.width,
    height: header.height,
    texture: arrays[0],
    optimiser: { t: header.t, m: arrays[1], v: arrays[2] },
    elapsedMs: header.elapsedMs,
    recentSuccess: header.recentSuccess,
    rng: header.rng,
  };
}
