import { floatTensor, type FloatTensor } from '../tensor/tensor';
import type { Quad } from '../../shared/homography';
import { buildPyramid, pyramidBackward, type Plane } from './texture';
import { ViewPass, type SceneSample, type ViewTape } from './view-pass';

export type { SceneSample } from './view-pass';

/**
 * A colour transform applied to the patch as printed (a printer colour model), with its
 * vector-Jacobian product. Works on planar RGB textures.
 */
export interface PatchColourModel {
  forward(texture: Plane): Plane;
  backward(texture: Plane, grad: Float32Array): Float32Array;
}

export interface RenderedBatch {
  /** NCHW [B, 3, H, W] pixels in [0, 1]: what the model sees. */
  pixels: FloatTensor;
  /** Where each patch landed in each view (view pixels), for drawing and evaluation. */
  quads: Quad[][];
}

interface BatchTape {
  levels: Plane[];
  texture: Plane;
  views: ViewTape[];
}

/**
 * The differentiable compositor: renders a patch into scenes under sampled views (forward)
 * and sends d(loss)/d(pixels) back to d(loss)/d(patch texels) (backward, the exact adjoint).
 *
 * Per view: the printed patch is sampled from the mip level matching its on-screen size,
 * lit (gamma, contrast, gain, brightness), alpha-blended over the scene through the
 * placement homography, then the camera blurs, adds noise and clips to [0, 1].
 *
 * This is the single-threaded compositor; `createBatchRenderer` spreads the views of a batch
 * over worker threads with the same results.
 */
export class Compositor {
  private readonly pass: ViewPass;
  private readonly tapes = new WeakMap<RenderedBatch, BatchTape>();

  constructor(
    readonly mask: Plane,
    readonly colourModel?: PatchColourModel,
  ) {
    if (mask.channels !== 1) throw new Error('the patch mask must have one channel');
    this.pass = new ViewPass(buildPyramid(mask));
  }

  get aspect(): number {
    return this.mask.width / this.mask.height;
  }

  render(texture: Plane, samples: readonly SceneSample[]): RenderedBatch {
    const { width, height } = checkBatch(this.mask, texture, samples);
    const plane = width * height;
    const levels = buildPyramid(this.printed(texture));
    const pixels = floatTensor([samples.length, 3, height, width]);
    const views: ViewTape[] = [];
    const quads: Quad[][] = [];
    samples.forEach((s, b) => {
      const view = this.pass.render(levels, s, pixels.data.subarray(b * 3 * plane, (b + 1) * 3 * plane));
      views.push(view.tape);
      quads.push(view.quads);
    });
    const batch = { pixels, quads };
    this.tapes.set(batch, { levels, texture, views });
    return batch;
  }

  /** d(loss)/d(texture) for d(loss)/d(pixels) of a batch this compositor rendered. */
  backward(batch: RenderedBatch, grad: FloatTensor): Float32Array {
    const tape = this.tapes.get(batch);
    if (!tape) throw new Error('backward needs a batch this compositor rendered');
    const [n, , height, width] = checkGradient(batch, grad);
    const plane = width * height;
    const levelGrads = tape.levels.map((l) => new Float32Array(l.data.length));
    for (let b = 0; b < n; b++) this.pass.backward(tape.views[b], grad.data.subarray(b * 3 * plane, (b + 1) * 3 * plane), width, height, tape.levels, levelGrads);
    return this.textureGradient(levelGrads, tape.levels, tape.texture);
  }

  /** The patch as printed: the colour model applied to the texture. */
  printed(texture: Plane): Plane {
    return this.colourModel ? this.colourModel.forward(texture) : texture;
  }

  /** d(loss)/d(texture) from the gradients of the printed patch's mip levels (consumed). */
  textureGradient(levelGrads: Float32Array[], levels: readonly Plane[], texture: Plane): Float32Array {
    const printedGrad = pyramidBackward(levelGrads, levels);
    return this.colourModel ? this.colourModel.backward(texture, printedGrad) : printedGrad;
  }
}

/** Checks a batch to render against the patch mask; returns the common scene size. */
export function checkBatch(mask: Plane, texture: Plane, samples: readonly SceneSample[]): { width: number; height: number } {
  if (texture.width !== mask.width || texture.height !== mask.height || texture.channels !== 3) {
    throw new Error(`patch texture ${texture.width}x${texture.height}x${texture.channels} does not match its mask ${mask.width}x${mask.height}`);
  }
  if (samples.length === 0) throw new Error('render needs at least one scene sample');
  const { width, height } = samples[0].scene;
  for (const s of samples) if (s.scene.width !== width || s.scene.height !== height || s.scene.channels !== 3) throw new Error('all scenes in a batch must have the model input size');
  return { width, height };
}

/** Checks a pixel gradient against its batch; returns the batch's NCHW dims. */
export function checkGradient(batch: RenderedBatch, grad: FloatTensor): readonly number[] {
  if (grad.data.length !== batch.pixels.data.length) throw new Error(`pixel gradient has ${grad.data.length} values, the batch ${batch.pixels.data.length}`);
  return batch.pixels.dims;
}
