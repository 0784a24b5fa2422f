import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic';

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
  const arrays = [ck.texture, ck.optimiser.m, ck.optimiser.v];
  const header = JSON.stringify({
    step: ck.step,
    width: ck.width,
    height: ck.height,
    t: ck.optimiser.t,
    elapsedMs: ck.elapsedMs,
    recentSuccess: ck.recentSuccess,
    rng: ck.rng,
    lengths: arrays.map((a) => a.length),
  });
  const head = Buffer.from(`${MAGIC}${header}\n`);
  const body = Buffer.alloc(arrays.reduce((n, a) => n + a.byteLength, 0));
  let offset = 0;
  for (const a of arrays) {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(body, offset);
    offset += a.byteLength;
  }
  writeFileAtomic(path, Buffer.concat([head, body]));
}

export function readCheckpoint(path: string): Checkpoint | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  if (bytes.subarray(0, MAGIC.length).toString() !== MAGIC) throw new Error(`${path}: not a patchlab checkpoint`);
  const end = bytes.indexOf(0x0a, MAGIC.length);
  const header = JSON.parse(bytes.subarray(MAGIC.length, end).toString()) as {
    step: number;
    width: number;
    height: number;
    t: number;
    elapsedMs: number;
    recentSuccess: number[];
    rng: { seed: number; step: number };
    lengths: number[];
  };
  let offset = end + 1;
  const arrays = header.lengths.map((n) => {
    const copy = new Float32Array(n);
    new Uint8Array(copy.buffer).set(bytes.subarray(offset, offset + n * 4));
    offset += n * 4;
    return copy;
  });
  if (offset !== bytes.length) throw new Error(`${path}: checkpoint is truncated or has trailing bytes`);
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
