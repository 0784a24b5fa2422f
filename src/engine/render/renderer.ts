import { availableParallelism } from 'node:os';
import { UserError } from '../errors';
import type { FloatTensor } from '../tensor/tensor';
import { Compositor, type PatchColourModel, type RenderedBatch, type SceneSample } from './compositor';
import { ParallelCompositor } from './parallel/parallel-compositor';
import type { Plane } from './texture';

/** Renders batches of views of a patch and back-propagates them: the compositor as attacks and evaluation use it. */
export interface BatchRenderer {
  readonly mask: Plane;
  /** Worker threads rendering views (1: the calling thread renders). */
  readonly threads: number;
  render(texture: Plane, samples: readonly SceneSample[]): Promise<RenderedBatch>;
  backward(batch: RenderedBatch, grad: FloatTensor): Promise<Float32Array>;
  /** Stops the workers; the renderer cannot be used afterwards. */
  close(): Promise<void>;
}

/** Render threads: PATCHLAB_RENDER_THREADS when set (0 or 1 = render on the calling thread), otherwise one per core. */
export function renderThreads(env: NodeJS.ProcessEnv = process.env): number {
  const set = env.PATCHLAB_RENDER_THREADS;
  if (set === undefined || set === '') return availableParallelism();
  const n = Number(set);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`PATCHLAB_RENDER_THREADS must be a whole number, got '${set}'`);
  return Math.max(1, n);
}

/** A batch renderer for a patch mask: the views of a batch on `threads` workers, or on the calling thread for 1. */
export function createBatchRenderer(mask: Plane, colourModel?: PatchColourModel, options: { threads?: number } = {}): BatchRenderer {
  const threads = options.threads ?? renderThreads();
  if (threads > 1) return new ParallelCompositor(mask, colourModel, threads);
  const compositor = new Compositor(mask, colourModel);
  return {
    mask,
    threads: 1,
    render: async (texture, samples) => compositor.render(texture, samples),
    backward: async (batch, grad) => compositor.backward(batch, grad),
    close: async () => undefined,
  };
}
