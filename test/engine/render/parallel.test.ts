import { afterAll, describe, expect, it } from 'vitest';
import { Compositor, type SceneSample } from '../../../src/engine/render/compositor';
import { IDENTITY_VIEW, type ViewParams } from '../../../src/engine/render/eot';
import { RenderPool } from '../../../src/engine/render/parallel/pool';
import { createBatchRenderer, renderThreads } from '../../../src/engine/render/renderer';
import { Rng } from '../../../src/engine/random';
import { floatTensor } from '../../../src/engine/tensor/tensor';
import { maxAbsDiff } from '../../helpers/tensors';
import { discMask, randomPlane, squareQuad } from './fixtures';

const W = 64;
const H = 48;
const scenes = [randomPlane(W, H, 3, 1, 0.05, 0.95), randomPlane(W, H, 3, 7, 0.05, 0.95)];
const mask = discMask(32);
const texture = randomPlane(32, 32, 3, 2, 0, 1);

function view(over: Partial<ViewParams>): ViewParams {
  return { ...IDENTITY_VIEW, ...over };
}

// Several views, two scenes, several quads, blur, noise (with clipping), tilt, lighting and whole-view warps.
const samples: SceneSample[] = [
  { scene: scenes[0], quads: [squareQuad(20, 20, 18), squareQuad(30, 24, 14)], view: view({ rotation: 12, tilt: 30, tiltAxis: 40, blur: 0.9, noise: 0.05 }), noiseSeed: 1 },
  { scene: scenes[1], quads: [squareQuad(40, 22, 16)], view: view({ tilt: 45, tiltAxis: 100, gamma: 0.8, brightness: 0.1, noise: 0.2 }), noiseSeed: 2 },
  { scene: scenes[0], quads: [squareQuad(16, 30, 12), squareQuad(46, 16, 20)], view: view({ scale: 1.2, blur: 1.4, viewRotation: 8, viewScale: 1.1 }), noiseSeed: 3 },
  { scene: scenes[1], quads: [squareQuad(32, 24, 24)], view: view({ rotation: -20, contrast: 1.2, gain: [1.1, 0.9, 1], blur: 0.5, noise: 0.03 }), noiseSeed: 4 },
  { scene: scenes[0], quads: [], view: view({ noise: 0.1 }), noiseSeed: 5 },
];

describe('parallel compositor', () => {
  const parallel = createBatchRenderer(mask, undefined, { threads: 3 });
  afterAll(() => parallel.close());

  it('renders the same pixels and back-propagates the same texture gradient as the single-threaded compositor', async () => {
    expect(parallel.threads).toBe(3);
    const single = new Compositor(mask);
    const rng = new Rng(9);
    const grad = floatTensor([samples.length, 3, H, W]);
    for (let i = 0; i < grad.data.length; i++) grad.data[i] = rng.uniform(-1, 1);
    for (let round = 0; round < 2; round++) {
      const expected = single.render(texture, samples);
      const got = await parallel.render(texture, samples);
      expect(got.pixels.dims).toEqual(expected.pixels.dims);
      expect(maxAbsDiff(got.pixels.data, expected.pixels.data)).toBe(0);
      expect(got.quads).toEqual(expected.quads);
      const want = single.backward(expected, grad);
      const have = await parallel.backward(got, grad);
      expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(have, want)).toBeLessThan(1e-6);
    }
  });

  it('streams more scenes than the workers keep: old ones are dropped and shipped again when they come back', async () => {
    const single = new Compositor(mask);
    // 80 distinct scene planes (over the 64 the workers keep), the first one again at the end.
    const many = Array.from({ length: 80 }, (_, i) => randomPlane(W, H, 3, 100 + i, 0.05, 0.95));
    for (let start = 0; start < many.length; start += 8) await parallel.render(texture, many.slice(start, start + 8).map((scene, i) => ({ scene, quads: [squareQuad(32, 24, 16)], view: IDENTITY_VIEW, noiseSeed: i })));
    const again: SceneSample[] = [many[0], many[79]].map((scene) => ({ scene, quads: [squareQuad(30, 20, 14)], view: IDENTITY_VIEW, noiseSeed: 1 }));
    expect(maxAbsDiff((await parallel.render(texture, again)).pixels.data, single.render(texture, again).pixels.data)).toBe(0);
  });

  it('back-propagates an older batch after a newer one was rendered', async () => {
    const single = new Compositor(mask);
    const first = await parallel.render(texture, samples.slice(0, 2));
    await parallel.render(texture, samples.slice(2));
    const grad = floatTensor(first.pixels.dims, new Float32Array(first.pixels.data.length).fill(1));
    expect(maxAbsDiff(await parallel.backward(first, grad), single.backward(single.render(texture, samples.slice(0, 2)), grad))).toBeLessThan(1e-6);
  });

  it('fails a render whose view a worker cannot draw, and keeps working for the next', async () => {
    const degenerate = { ...samples[0], quads: [[[0, 0], [10, 10], [20, 20], [30, 30]] as const] };
    await expect(parallel.render(texture, [samples[1], degenerate])).rejects.toThrow(/render worker: degenerate quad/);
    expect((await parallel.render(texture, samples.slice(0, 1))).pixels.dims[0]).toBe(1);
  });

  it('rejects calls after its workers are closed instead of hanging', async () => {
    const renderer = createBatchRenderer(mask, undefined, { threads: 2 });
    await renderer.render(texture, samples.slice(0, 2));
    await renderer.close();
    await expect(renderer.render(texture, samples.slice(0, 2))).rejects.toThrow(/closed/);
  });

  it('fails waiting and later calls when a worker dies, instead of hanging', async () => {
    const pool = new RenderPool(1);
    try {
      // A scene larger than its buffer throws outside any call: the worker dies.
      pool.post(0, { kind: 'scene', id: 1, scene: { width: 100, height: 100, channels: 3, data: new SharedArrayBuffer(4), offset: 0 } });
      const waiting = pool.call(0, { kind: 'backward', batch: 1, grad: new SharedArrayBuffer(4), levelGrads: new SharedArrayBuffer(4) });
      await expect(waiting).rejects.toThrow(/render worker (failed|exited)/);
      await expect(pool.call(0, { kind: 'backward', batch: 1, grad: new SharedArrayBuffer(4), levelGrads: new SharedArrayBuffer(4) })).rejects.toThrow(/render worker/);
    } finally {
      await pool.close();
    }
  });

  it('reads its thread count from PATCHLAB_RENDER_THREADS', () => {
    expect(renderThreads({ PATCHLAB_RENDER_THREADS: '1' })).toBe(1);
    expect(renderThreads({ PATCHLAB_RENDER_THREADS: '0' })).toBe(1);
    expect(renderThreads({ PATCHLAB_RENDER_THREADS: '3' })).toBe(3);
    expect(renderThreads({})).toBeGreaterThanOrEqual(1);
    expect(() => renderThreads({ PATCHLAB_RENDER_THREADS: 'many' })).toThrow(/PATCHLAB_RENDER_THREADS/);
  });
});
