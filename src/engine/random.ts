import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * The engine's one seeded random stream (xoroshiro128+ from pure-rand), for attacks, defences,
 * training, rendering and tests alike: the same seed gives the same random starts, squares,
 * draws, probes and views. A stream is derived from (seed, ...path), so the samples of step t
 * never depend on how many numbers earlier steps drew: a resumed run draws exactly what the
 * uninterrupted run would have.
 */
export class Rng {
  private readonly gen: RandomGenerator;
  private spare: number | undefined;

  constructor(seed = 0, ...path: number[]) {
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

  /** +1 or -1 with equal probability. */
  sign(): number {
    return this.next() < 0.5 ? -1 : 1;
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

  /** A fresh generator whose stream does not overlap this one's in practice. */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 2 ** 31));
  }

  /** The first `k` of a random permutation of [0, n). */
  sample(n: number, k: number): number[] {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < Math.min(k, n); i++) {
      const j = i + this.int(n - i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order.slice(0, k);
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
