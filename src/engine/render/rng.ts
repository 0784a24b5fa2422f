import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * A seeded stream of random numbers. Every stream is derived from (seed, step, stream id), so
 * the samples of step t never depend on how many numbers earlier steps drew: a resumed run
 * draws exactly what the uninterrupted run would have.
 */
export class Rng {
  private readonly gen: RandomGenerator;
  private spare: number | undefined;

  constructor(seed: number, ...path: number[]) {
    this.gen = xoroshiro128plus(mixSeed(seed, path));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return uniformFloat64(this.gen);
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = this.next();
    while (u <= Number.EPSILON) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** A 32-bit seed from a seed and a path of integers (splitmix-style avalanche per element). */
export function mixSeed(seed: number, path: readonly number[]): number {
  let h = (seed | 0) ^ 0x9e3779b9;
  for (const p of [path.length, ...path]) {
    h = Math.imul(h ^ (p | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h | 0;
}

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
