import { describe, expect, it } from 'vitest';
import { emptyManifest, type SceneManifest } from '../../../src/engine/scenes/manifest';
import { assignSplits, countSplits } from '../../../src/engine/scenes/split';

function manifestWith(sources: { key: string; scenes: number; people: number }[], seed = 1): SceneManifest {
  const m = emptyManifest('t', seed);
  for (const s of sources) {
    m.sources[s.key] = { kind: 'file', path: `/x/${s.key}`, split: 'train', pinned: false };
    for (let i = 0; i < s.scenes; i++) {
      m.scenes.push({ file: `${s.key}-${i}.jpg`, source: s.key, width: 10, height: 10, sha256: '0'.repeat(64), dhash: '00', objects: Array.from({ length: s.people }, () => ({ box: [0, 0, 1, 1] as [number, number, number, number], score: 0.9 })) });
    }
  }
  return m;
}

const SOURCES = Array.from({ length: 40 }, (_, i) => ({ key: `s${i}`, scenes: 1 + (i % 3), people: 1 + (i % 5) }));

describe('splits by source', () => {
  it('keeps every scene of a source in one split, and the same seed deals the same splits', () => {
    const a = manifestWith(SOURCES, 3);
    const b = manifestWith([...SOURCES].reverse(), 3);
    assignSplits(a, 'people');
    assignSplits(b, 'people');
    for (const key of Object.keys(a.sources)) expect(b.sources[key].split).toBe(a.sources[key].split);
    const c = manifestWith(SOURCES, 4);
    assignSplits(c, 'people');
    expect(Object.keys(a.sources).some((k) => a.sources[k].split !== c.sources[k].split)).toBe(true);
  });

  it('balances the weight it is asked to, near the fractions', () => {
    const m = manifestWith(SOURCES);
    m.fractions = { train: 0.6, val: 0.2, test: 0.2 };
    assignSplits(m, 'people');
    const c = countSplits(m);
    const total = (c.train.people ?? 0) + (c.val.people ?? 0) + (c.test.people ?? 0);
    expect(total).toBe(SOURCES.reduce((a, s) => a + s.scenes * s.people, 0));
    expect(Math.abs((c.train.people ?? 0) / total - 0.6)).toBeLessThan(0.05);
    expect(Math.abs((c.test.people ?? 0) / total - 0.2)).toBeLessThan(0.05);
    expect(c.train.scenes + c.val.scenes + c.test.scenes).toBe(m.scenes.length);
  });

  it('leaves pinned sources where they were put, and a large source does not split', () => {
    const m = manifestWith([...SOURCES, { key: 'video', scenes: 50, people: 6 }]);
    m.sources.s0 = { ...m.sources.s0, split: 'test', pinned: true };
    assignSplits(m, 'people');
    expect(m.sources.s0.split).toBe('test');
    expect(new Set(m.scenes.filter((s) => s.source === 'video').map((s) => m.sources[s.source].split)).size).toBe(1);
  });

  it('by sources gives train its share of sources even when one crowded video outweighs them all', () => {
    const m = manifestWith([...SOURCES, { key: 'crowd', scenes: 60, people: 8 }]);
    m.fractions = { train: 0.6, val: 0.2, test: 0.2 };
    assignSplits(m, 'people');
    const byPeople = countSplits(m);
    assignSplits(m, 'sources');
    const bySources = countSplits(m);
    expect(Math.abs(bySources.train.sources / 41 - 0.6)).toBeLessThan(0.05);
    expect(bySources.train.sources).toBeGreaterThan(byPeople.train.sources);
  });

  it('keeps a split as it was and deals nothing new into it', () => {
    const m = manifestWith(SOURCES);
    assignSplits(m, 'people');
    const testBefore = Object.keys(m.sources).filter((k) => m.sources[k].split === 'test');
    m.seed = 9;
    m.fractions = { train: 0.5, val: 0.5, test: 0.2 };
    assignSplits(m, 'sources', undefined, new Set(['test']));
    const testAfter = Object.keys(m.sources).filter((k) => m.sources[k].split === 'test');
    expect(testAfter).toEqual(testBefore);
    const c = countSplits(m);
    expect(c.train.sources + c.val.sources).toBe(40 - testBefore.length);
    expect(Math.abs(c.train.sources - c.val.sources)).toBeLessThanOrEqual(1);
  });
});
