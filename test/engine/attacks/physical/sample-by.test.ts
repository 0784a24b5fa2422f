import { describe, expect, it } from 'vitest';
import { resolveAttackConfig } from '../../../../src/engine/attacks/physical/config';
import type { Prepared } from '../../../../src/engine/attacks/physical/prepare';
import { drawBatch, scenesBySource } from '../../../../src/engine/attacks/physical/run';
import { makePlane } from '../../../../src/engine/render/texture';
import { planesInMemory } from '../../../../src/engine/scenes/loader';

/** 40 frames of one video and 4 photos: what a set with one long clip looks like. */
function preparedWithVideo(): Prepared {
  const sources = [...Array.from({ length: 40 }, () => 'video.mp4'), 'a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'];
  const planes = sources.map(() => makePlane(4, 4, 3));
  return {
    names: sources.map((s, i) => `${s}-${i}`),
    files: sources.map((s, i) => `/x/${s}-${i}`),
    planes: planesInMemory(planes),
    quads: sources.map(() => []),
    sources,
    objective: {} as Prepared['objective'],
    notes: [],
  };
}

async function videoShare(sampleBy: 'scenes' | 'sources'): Promise<number> {
  const prepared = preparedWithVideo();
  const config = resolveAttackConfig({ attack: 'patch', model: 'm', scenes: 'x', class: 'person', sampleBy });
  let video = 0;
  let all = 0;
  for (let step = 0; step < 100; step++) {
    const { scenes } = await drawBatch(config, prepared, step, 8);
    video += scenes.filter((s) => s < 40).length;
    all += scenes.length;
  }
  return video / all;
}

describe('sampleBy', () => {
  it('groups scenes by source, a scene with no known source on its own', () => {
    const p = preparedWithVideo();
    expect(scenesBySource(p).map((g) => g.length)).toEqual([40, 1, 1, 1, 1]);
    expect(scenesBySource({ ...p, sources: undefined }).length).toBe(44);
  });

  it('by scenes a long video fills most views; by sources it gets its share as one source', async () => {
    expect(await videoShare('scenes')).toBeGreaterThan(0.85);
    const bySources = await videoShare('sources');
    expect(bySources).toBeGreaterThan(0.12);
    expect(bySources).toBeLessThan(0.28);
  });
});
