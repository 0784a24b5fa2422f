import { Rng } from '../random';

const NOISE_BITS = 20;
const NOISE_RUN = 4096;
let noiseTable: Float32Array | undefined;

/** The shared table of 2^20 standard normals that sensor noise reads from. */
function normalTable(): Float32Array {
  if (!noiseTable) {
    const rng = new Rng(0x5e75, NOISE_BITS);
    noiseTable = new Float32Array(1 << NOISE_BITS);
    for (let i = 0; i < noiseTable.length; i++) noiseTable[i] = rng.normal();
  }
  return noiseTable;
}

/**
 * The camera's last stage for one view, in place: adds `std` · N(0, 1) sensor noise, clips to
 * [0, 1], and writes 1 into `clipped` where a value was clipped, 0 elsewhere. Drawing a million
 * normals per view would cost more than the rest of the compositor, so a view reads a fixed
 * table of 2^20 standard normals: runs of NOISE_RUN consecutive entries, each run from its own
 * offset drawn from `seed`. Deterministic, uncorrelated enough for sensor noise, and read in
 * order (a strided walk over the 4 MB table missed the cache on nearly every pixel).
 */
export function noiseAndClip(values: Float32Array, std: number, seed: number, clipped: Uint8Array): void {
  const table = normalTable();
  const rng = new Rng(seed);
  let at = 0;
  let left = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    if (std > 0) {
      if (left === 0) {
        at = rng.int(table.length - NOISE_RUN);
        left = NOISE_RUN;
      }
      v += std * table[at++];
      left--;
    }
    if (v < 0) {
      values[i] = 0;
      clipped[i] = 1;
    } else if (v > 1) {
      values[i] = 1;
      clipped[i] = 1;
    } else {
      values[i] = v;
      clipped[i] = 0;
    }
  }
}
