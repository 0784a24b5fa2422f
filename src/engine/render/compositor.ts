import { floatTensor, type FloatTensor } from '../tensor/tensor';
import { blurAddRegion, blurBackward, blurForward, gaussianKernel, type Region } from './blur';
import type { ViewParams } from './eot';
import { placementInView, viewHomography, viewQuad } from './geometry';
import { quadArea, quadBounds, type Quad } from './homography';
import { noiseAndClip } from './rng';
import { buildPyramid, pyramidBackward, type Plane } from './texture';
import { warpScene } from './view-warp';
import { compositeQuad, compositeQuadBackward, type QuadTape } from './warp';

/**
 * A colour transform applied to the patch as printed (a printer colour model), with its
 * vector-Jacobian product. Works on planar RGB textures.
 */
export interface PatchColourModel {
  forward(texture: Plane): Plane;
  backward(texture: Plane, grad: Float32Array): Float32Array;
}

/** One view to render: a scene at the model's input size, where the patch goes, and the drawn transform. */
export interface SceneSample {
  /** 3 x H x W, values in [0, 1]. */
  scene: Plane;
  /** Placement quads in scene pixels; the patch is drawn on each. */
  quads: readonly Quad[];
  view: ViewParams;
  /** Seeds this view's sensor noise. */
  noiseSeed: number;
}

interface SampleTape {
  quads: QuadTape[];
  kernel?: Float32Array;
  region: Region;
}

export interface RenderedBatch {
  /** NCHW [B, 3, H, W] pixels in [0, 1]: what the model sees. */
  pixels: FloatTensor;
  /** Where each patch landed in each view (view pixels), for drawing and evaluation. */
  quads: Quad[][];
  /** Everything the backward pass needs. */
  readonly tape: { levels: Plane[]; texture: Plane; samples: SampleTape[]; clamped: Uint8Array };
}

/**
 * The differentiable compositor: renders a patch into scenes under sampled views (forward)
 * and sends d(loss)/d(pixels) back to d(loss)/d(patch texels) (backward, the exact adjoint).
 *
 * Per view: the printed patch is sampled from the mip level matching its on-screen size,
 * lit (gamma, contrast, gain, brightness), alpha-blended over the scene through the
 * placement homography, then the camera blurs, adds noise and clips to [0, 1].
 */
export class Compositor {
  private readonly maskLevels: Plane[];
  private readonly kernels = new Map<number, Float32Array>();
  private readonly sceneBlurs = new WeakMap<Plane, Map<number, Float32Array>>();

  constructor(
    readonly mask: Plane,
    private readonly colourModel?: PatchColourModel,
  ) {
    if (mask.channels !== 1) throw new Error('the patch mask must have one channel');
    this.maskLevels = buildPyramid(mask);
  }

  get aspect(): number {
    return this.mask.width / this.mask.height;
  }

  render(texture: Plane, samples: readonly SceneSample[]): RenderedBatch {
    if (texture.width !== this.mask.width || texture.height !== this.mask.height || texture.channels !== 3) {
      throw new Error(`patch texture ${texture.width}x${texture.height}x${texture.channels} does not match its mask ${this.mask.width}x${this.mask.height}`);
    }
    if (samples.length === 0) throw new Error('render needs at least one scene sample');
    const { width, height } = samples[0].scene;
    const plane = width * height;
    const printed = this.colourModel ? this.colourModel.forward(texture) : texture;
    const levels = buildPyramid(printed);
    const pixels = floatTensor([samples.length, 3, height, width]);
    const clamped = new Uint8Array(pixels.data.length);
    const tapes: SampleTape[] = [];
    const allQuads: Quad[][] = [];
    samples.forEach((s, b) => {
      if (s.scene.width !== width || s.scene.height !== height) throw new Error('all scenes in a batch must have the model input size');
      const toView = viewHomography(s.view, width, height);
      let image = toView ? warpScene(s.scene, toView) : s.scene.data.slice();
      const lighting = { brightness: s.view.brightness, contrast: s.view.contrast, gamma: s.view.gamma, gain: s.view.gain };
      const quads = s.quads.map((q) => viewQuad(placementInView(toView, q), this.aspect, s.view));
      const quadTapes = quads.map((q) => {
        const level = this.levelFor(q, levels.length);
        return compositeQuad(image, width, height, levels[level], this.maskLevels[level], level, q, lighting);
      });
      let kernel: Float32Array | undefined;
      const region = unionBounds(quads, width, height);
      if (s.view.blur >= 0.3) {
        const sigma = Math.round(s.view.blur * 10) / 10;
        kernel = this.kernel(sigma);
        if (toView) image = blurForward(image, width, height, kernel);
        else {
          // blur(scene + change) = blur(scene) + blur(change): the scene's blur is cached per
          // sigma, and only the patches' neighbourhood is blurred per view.
          const change = image;
          const scene = s.scene.data;
          for (let c = 0; c < 3; c++) {
            for (let y = 0; y < height; y++) {
              const row = c * plane + y * width;
              if (y < region[1] || y >= region[3]) {
                change.fill(0, row, row + width);
                continue;
              }
              change.fill(0, row, row + region[0]);
              for (let x = region[0]; x < region[2]; x++) change[row + x] -= scene[row + x];
              change.fill(0, row + region[2], row + width);
            }
          }
          image = this.blurredScene(s.scene, sigma, kernel).slice();
          blurAddRegion(change, width, height, kernel, region, image);
        }
      }
      noiseAndClip(image, s.view.noise, s.noiseSeed, pixels.data, b * 3 * plane, clamped);
      tapes.push({ quads: quadTapes, kernel, region });
      allQuads.push(quads);
    });
    return { pixels, quads: allQuads, tape: { levels, texture, samples: tapes, clamped } };
  }

  /** d(loss)/d(texture) for d(loss)/d(pixels) of a batch this compositor rendered. */
  backward(batch: RenderedBatch, grad: FloatTensor): Float32Array {
    const { levels, samples, clamped, texture } = batch.tape;
    const [n, , height, width] = batch.pixels.dims;
    if (grad.data.length !== batch.pixels.data.length) throw new Error(`pixel gradient has ${grad.data.length} values, the batch ${batch.pixels.data.length}`);
    const plane = width * height;
    const levelGrads = levels.map((l) => new Float32Array(l.data.length));
    for (let b = 0; b < n; b++) {
      const tape = samples[b];
      const offset = b * 3 * plane;
      let g: Float32Array = grad.data.slice(offset, offset + 3 * plane);
      for (let i = 0; i < g.length; i++) if (clamped[offset + i]) g[i] = 0;
      if (tape.kernel) g = blurBackward(g, width, height, tape.kernel, tape.region);
      for (let q = tape.quads.length - 1; q >= 0; q--) {
        const qt = tape.quads[q];
        const level = levels[qt.level];
        compositeQuadBackward(qt, g, width, height, levelGrads[qt.level], level.width, level.height);
      }
    }
    const printedGrad = pyramidBackward(levelGrads, levels);
    return this.colourModel ? this.colourModel.backward(texture, printedGrad) : printedGrad;
  }

  /** The mip level whose texels are about one on-screen pixel. */
  private levelFor(quad: Quad, count: number): number {
    const ratio = Math.sqrt((this.mask.width * this.mask.height) / Math.max(1e-6, quadArea(quad)));
    return Math.max(0, Math.min(count - 1, Math.floor(Math.log2(Math.max(1, ratio)))));
  }

  private blurredScene(scene: Plane, sigma: number, kernel: Float32Array): Float32Array {
    let bySigma = this.sceneBlurs.get(scene);
    if (!bySigma) {
      bySigma = new Map();
      this.sceneBlurs.set(scene, bySigma);
    }
    let blurred = bySigma.get(sigma);
    if (!blurred) {
      blurred = blurForward(scene.data, scene.width, scene.height, kernel);
      bySigma.set(sigma, blurred);
    }
    return blurred;
  }

  private kernel(sigma: number): Float32Array {
    let k = this.kernels.get(sigma);
    if (!k) {
      k = gaussianKernel(sigma);
      this.kernels.set(sigma, k);
    }
    return k;
  }
}

function unionBounds(quads: readonly Quad[], width: number, height: number): Region {
  if (quads.length === 0) return [0, 0, 0, 0];
  let [x0, y0, x1, y1] = [width, height, 0, 0];
  for (const q of quads) {
    const [a, b, c, d] = quadBounds(q, width, height);
    x0 = Math.min(x0, a);
    y0 = Math.min(y0, b);
    x1 = Math.max(x1, c);
    y1 = Math.max(y1, d);
  }
  return x1 > x0 && y1 > y0 ? [x0, y0, x1, y1] : [0, 0, 0, 0];
}
