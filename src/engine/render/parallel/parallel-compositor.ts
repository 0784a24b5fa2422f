import { floatTensor, type FloatTensor } from '../../tensor/tensor';
import type { Region } from '../blur';
import { checkBatch, checkGradient, Compositor, type PatchColourModel, type RenderedBatch, type SceneSample } from '../compositor';
import type { Quad } from '../../../shared/homography';
import { buildPyramid, type Plane } from '../texture';
import { packing, sharedPlane, type SharedPlane, type ViewJob } from './protocol';
import { RenderPool } from './pool';

interface BatchTape {
  batch: number;
  levels: Plane[];
  texture: Plane;
  /** The workers that rendered views of this batch. */
  workers: number[];
  /** Per view, the pixels whose gradient the workers read. */
  reaches: Region[];
}

/**
 * The compositor with the views of a batch spread over worker threads: same pixels as the
 * single-threaded Compositor, same texture gradient up to float summation order (each worker
 * sums its own views' level gradients; they are added here in worker order, so a given pool
 * size is deterministic).
 *
 * Scenes must not change once rendered: each is copied to shared memory and sent to the
 * workers once. Per batch only the printed patch's mip pyramid and the views' parameters
 * travel; workers write pixels into one shared batch buffer, and back-propagate from one
 * shared gradient buffer into their own level-gradient buffers.
 */
/** Scenes the render workers keep at once (each a private copy per worker, 3 MB at 512²). */
const LIVE_SCENES = 64;

export class ParallelCompositor {
  private readonly local: Compositor;
  private readonly pool: RenderPool;
  private readonly sceneIds = new WeakMap<Plane, number>();
  /** Scene ids the workers hold, least recently used first; beyond LIVE_SCENES the oldest are dropped. */
  private readonly live = new Map<number, true>();
  private readonly tapes = new WeakMap<RenderedBatch, BatchTape>();
  private readonly buffers = new Map<string, SharedArrayBuffer>();
  private nextScene = 1;
  private nextBatch = 1;
  /** Calls run one at a time: they share the buffers above. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(mask: Plane, colourModel: PatchColourModel | undefined, threads: number) {
    this.local = new Compositor(mask, colourModel);
    this.pool = new RenderPool(threads);
    const levels = buildPyramid(mask).map(sharedPlane);
    for (let w = 0; w < this.pool.size; w++) this.pool.post(w, { kind: 'mask', levels });
  }

  get mask(): Plane {
    return this.local.mask;
  }

  get threads(): number {
    return this.pool.size;
  }

  render(texture: Plane, samples: readonly SceneSample[]): Promise<RenderedBatch> {
    return this.serial(() => this.renderNow(texture, samples));
  }

  backward(batch: RenderedBatch, grad: FloatTensor): Promise<Float32Array> {
    return this.serial(() => this.backwardNow(batch, grad));
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async renderNow(texture: Plane, samples: readonly SceneSample[]): Promise<RenderedBatch> {
    const { width, height } = checkBatch(this.mask, texture, samples);
    const size = 3 * width * height;
    const levels = buildPyramid(this.local.printed(texture));
    const { offsets, total } = packing(levels);
    const levelData = this.buffer('levels', total);
    const shared: SharedPlane[] = levels.map((l, k) => {
      new Float32Array(levelData, offsets[k] * 4, l.data.length).set(l.data);
      return { width: l.width, height: l.height, channels: l.channels, data: levelData, offset: offsets[k] };
    });
    const out = this.buffer('out', samples.length * size);
    const jobs = this.ranges(samples.length).map(([from, to]) => range(from, to).map((index): ViewJob => ({ index, scene: this.sceneId(samples[index].scene), quads: samples[index].quads, view: samples[index].view, noiseSeed: samples[index].noiseSeed })));
    this.dropOldScenes(samples.length);
    const batch = this.nextBatch++;
    const workers = jobs.flatMap((views, w) => (views.length > 0 ? [w] : []));
    const replies = await Promise.all(workers.map((w) => this.pool.call(w, { kind: 'render', batch, levels: shared, views: jobs[w], out })));
    const quads: Quad[][] = replies.flatMap((r) => r.quads ?? []);
    const reaches: Region[] = replies.flatMap((r) => r.reaches ?? []);
    const rendered: RenderedBatch = { pixels: floatTensor([samples.length, 3, height, width], new Float32Array(out, 0, samples.length * size).slice()), quads };
    this.tapes.set(rendered, { batch, levels, texture, workers, reaches });
    return rendered;
  }

  private async backwardNow(batch: RenderedBatch, grad: FloatTensor): Promise<Float32Array> {
    const tape = this.tapes.get(batch);
    if (!tape) throw new Error('backward needs a batch this compositor rendered');
    const [, , height, width] = checkGradient(batch, grad);
    const shared = this.buffer('grad', grad.data.length);
    copyReaches(grad.data, new Float32Array(shared, 0, grad.data.length), tape.reaches, width, height);
    const { offsets, total } = packing(tape.levels);
    const perWorker = tape.workers.map((w) => this.buffer(`level grads ${w}`, total));
    const replies = await Promise.all(tape.workers.map((w, i) => this.pool.call(w, { kind: 'backward', batch: tape.batch, grad: shared, levelGrads: perWorker[i] })));
    // Per level, the workers that wrote it, summed in worker order (the reduction split over the workers).
    const writers = tape.levels.map((_, k) => perWorker.filter((_, i) => replies[i].levels?.includes(k)));
    const reductions = writers.flatMap((parts, k) => (parts.length < 2 ? [] : this.ranges(tape.levels[k].data.length).map(([from, to], w) => this.pool.call(w, { kind: 'reduce', parts, from: offsets[k] + from, to: offsets[k] + to }))));
    await Promise.all(reductions);
    const levelGrads = tape.levels.map((l, k) => (writers[k].length > 0 ? new Float32Array(writers[k][0], offsets[k] * 4, l.data.length).slice() : new Float32Array(l.data.length)));
    return this.local.textureGradient(levelGrads, tape.levels, tape.texture);
  }

  /** [0, n) split into contiguous ranges, one per worker, sizes differing by at most one. */
  private ranges(n: number): [number, number][] {
    const w = this.pool.size;
    return Array.from({ length: w }, (_, i) => [Math.floor((i * n) / w), Math.floor(((i + 1) * n) / w)]);
  }

  /** The scene's id in the workers, shipping it to them the first time. */
  private sceneId(scene: Plane): number {
    let id = this.sceneIds.get(scene);
    if (id === undefined) {
      id = this.nextScene++;
      this.sceneIds.set(scene, id);
    }
    if (this.live.has(id)) this.live.delete(id);
    else {
      const shared = sharedPlane(scene);
      for (let w = 0; w < this.pool.size; w++) this.pool.post(w, { kind: 'scene', id, scene: shared });
    }
    this.live.set(id, true);
    return id;
  }

  /** Keeps at most LIVE_SCENES (or this call's views) scenes in the workers: streamed sets load new planes every step. */
  private dropOldScenes(inUse: number): void {
    const keep = Math.max(LIVE_SCENES, inUse);
    for (const id of this.live.keys()) {
      if (this.live.size <= keep) break;
      this.live.delete(id);
      for (let w = 0; w < this.pool.size; w++) this.pool.post(w, { kind: 'drop', id });
    }
  }

  /** A shared buffer of at least `floats` values, reused across calls. */
  private buffer(name: string, floats: number): SharedArrayBuffer {
    let b = this.buffers.get(name);
    if (!b || b.byteLength < floats * 4) {
      b = new SharedArrayBuffer(floats * 4);
      this.buffers.set(name, b);
    }
    return b;
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Copies each view's gradient where its worker will read it (the rest of a view's gradient cannot reach the patch). */
function copyReaches(src: Float32Array, dst: Float32Array, reaches: readonly Region[], width: number, height: number): void {
  const plane = width * height;
  reaches.forEach(([x0, y0, x1, y1], b) => {
    for (let c = 0; c < 3; c++) {
      for (let y = y0; y < y1; y++) {
        const row = (3 * b + c) * plane + y * width;
        dst.set(src.subarray(row + x0, row + x1), row + x0);
      }
    }
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}
