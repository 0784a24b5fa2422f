import { createHash } from 'node:crypto';
import { SPLITS, type SceneManifest, type Split } from './manifest';

/** A number in [0, 1) fixed by the seed and the key: the order sources are dealt in. */
export function seededUnit(seed: number, key: string): number {
  return parseInt(createHash('sha256').update(`${seed}:${key}`).digest('hex').slice(0, 12), 16) / 2 ** 48;
}

export const SPLIT_WEIGHTS = ['scenes', 'people', 'sources'] as const;
export type SplitWeight = (typeof SPLIT_WEIGHTS)[number];

/**
 * What a source weighs when splits are balanced: its scenes, the objects detected in them, or
 * 1 each. Balancing people lets one crowded video fill a split's share alone (train then sees few
 * sources); balancing sources gives every split its share of different places and people.
 */
export function sourceWeights(manifest: SceneManifest, by: SplitWeight): Map<string, number> {
  const w = new Map<string, number>(Object.keys(manifest.sources).map((k) => [k, by === 'sources' ? 1 : 0]));
  if (by === 'sources') return w;
  for (const s of manifest.scenes) w.set(s.source, (w.get(s.source) ?? 0) + (by === 'people' ? (s.objects?.length ?? 0) : 1));
  return w;
}

/**
 * Deals every unpinned source (with `only`, just those) to a split, whole: in an order drawn
 * from the seed, each source goes to the split furthest below its share of the weight dealt so
 * far. All frames of a video and all crops of a photo share their source, so no picture's
 * content crosses splits; the seed decides which sources land where. Sources in a `keep` split
 * stay there and nothing new is dealt to it: a test split already measured stays the same while
 * train and val are dealt again.
 */
export function assignSplits(manifest: SceneManifest, by: SplitWeight, only?: ReadonlySet<string>, keep: ReadonlySet<Split> = new Set()): void {
  const weights = sourceWeights(manifest, by);
  const total = { train: 0, val: 0, test: 0 } as Record<Split, number>;
  let dealt = 0;
  const free: string[] = [];
  for (const [key, source] of Object.entries(manifest.sources)) {
    if (keep.has(source.split)) continue;
    if (source.pinned || (only && !only.has(key))) {
      total[source.split] += weights.get(key) ?? 0;
      dealt += weights.get(key) ?? 0;
    } else free.push(key);
  }
  free.sort((a, b) => seededUnit(manifest.seed, a) - seededUnit(manifest.seed, b));
  const share = manifest.fractions;
  const sum = SPLITS.reduce((a, split) => a + (keep.has(split) ? 0 : share[split]), 0) || 1;
  for (const key of free) {
    const w = Math.max(weights.get(key) ?? 0, 1e-6);
    dealt += w;
    let best: Split = 'train';
    let deficit = -Infinity;
    for (const split of SPLITS) {
      if (share[split] <= 0 || keep.has(split)) continue;
      const d = (share[split] / sum) * dealt - total[split];
      if (d > deficit) [best, deficit] = [split, d];
    }
    manifest.sources[key].split = best;
    total[best] += w;
  }
}

export interface SplitCounts {
  sources: number;
  scenes: number;
  /** Objects detected (people) in the split; undefined before `detect`. */
  people?: number;
}

export function countSplits(manifest: SceneManifest): Record<Split, SplitCounts> {
  const out = Object.fromEntries(SPLITS.map((s) => [s, { sources: 0, scenes: 0 } as SplitCounts])) as Record<Split, SplitCounts>;
  for (const source of Object.values(manifest.sources)) out[source.split].sources++;
  for (const scene of manifest.scenes) {
    const c = out[manifest.sources[scene.source].split];
    c.scenes++;
    if (scene.objects) c.people = (c.people ?? 0) + scene.objects.length;
  }
  return out;
}
