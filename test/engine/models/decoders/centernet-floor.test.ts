import { describe, expect, it } from 'vitest';
import { centernetCandidates } from '../../../../src/engine/models/decoders/centernet';

describe('centernet candidates with a score floor', () => {
  it('keep exactly the peaks at or above the floor, in the same order', () => {
    const [h, w, c] = [40, 48, 6];
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    // A sigmoid heatmap: everything above 0, mostly small, a few strong blobs.
    const heat = new Float32Array(h * w * c).map(() => 0.001 + 0.2 * rand() ** 3);
    for (let k = 0; k < 25; k++) heat[Math.floor(rand() * h * w) * c + (k % c)] = 0.3 + 0.7 * rand();
    const sizes = new Float32Array(h * w * 4).map(() => 10 * rand());
    const all = centernetCandidates(heat, sizes, [1, h, w, c], 4, Number.MAX_SAFE_INTEGER);
    for (const floor of [0.05, 0.2, 0.5]) {
      const floored = centernetCandidates(heat, sizes, [1, h, w, c], 4, Number.MAX_SAFE_INTEGER, floor);
      expect(floored).toEqual(all.filter((p) => p.score >= floor));
      expect(floored.length).toBeLessThan(all.length);
    }
  });
});
