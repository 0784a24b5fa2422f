import { blurAddRegion, blurBackward, blurForward, gaussianKernel, type Region } from './blur';
import type { ViewParams } from './eot';
import { placementInView, viewHomography, viewQuad } from './geometry';
import { quadArea, quadBounds, type Quad } from '../../shared/homography';
import { noiseAndClip } from './sensor-noise';
import type { Plane } from './texture';
import { warpScene } from './view-warp';
import { compositeQuad, compositeQuadBackward, type QuadTape } from './warp';

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

/** What one rendered view keeps for its backward pass. */
export interface ViewTape {
  quads: QuadTape[];
  kernel?: Float32Array;
  /** The union of the patches' bounds. */
  region: Region;
  /** The pixels whose gradient can reach the patch: `region`, dilated by the blur radius. */
  reach: Region;
  /** 1 where a pixel inside `reach` was clipped to [0, 1]: 3 planes of the reach's size. */
  clipped: Uint8Array;
}

/** Full-view buffers one thread reuses across views; each is all zeros between calls unless noted. */
interface Scratch {
  size: number;
  /** Patch change before blur (zero outside the region being worked on). */
  change: Float32Array;
  /** A warped view before blur (free-form). */
  sharp: Float32Array;
  /** Clip flags of the whole view (free-form). */
  clipped: Uint8Array;
  /** Gradient after the clip, and after the blur's adjoint. */
  grad: Float32Array;
  blurredGrad: Float32Array;
}

/**
 * Renders single views and back-propagates them: the per-view half of the compositor, shared by
 * the single-threaded compositor and the render workers. Owns the caches (blur kernels, blurred
 * scenes) and scratch buffers that one thread reuses from view to view, so a view allocates
 * nothing the size of the image and its backward pass touches only the patches' neighbourhood.
 */
export class ViewPass {
  private readonly kernels = new Map<number, Float32Array>();
  private readonly sceneBlurs = new WeakMap<Plane, Map<number, Float32Array>>();
  private scratch?: Scratch;

  constructor(private readonly maskLevels: readonly Plane[]) {}

  private get aspect(): number {
    return this.maskLevels[0].width / this.maskLevels[0].height;
  }

  /**
   * Renders one view of the printed patch's mip `levels` into `out` (3 x H x W, overwritten)
   * and returns where the patches landed and the tape for backward.
   */
  render(levels: readonly Plane[], sample: SceneSample, out: Float32Array): { quads: Quad[]; tape: ViewTape } {
    const { scene, view } = sample;
    const { width, height } = scene;
    const plane = width * height;
    const scratch = this.scratchFor(3 * plane);
    const toView = viewHomography(view, width, height);
    if (toView) warpScene(scene, toView, out);
    else out.set(scene.data);
    const lighting = { brightness: view.brightness, contrast: view.contrast, gamma: view.gamma, gain: view.gain };
    const quads = sample.quads.map((q) => viewQuad(placementInView(toView, q), this.aspect, view));
    const quadTapes = quads.map((q) => {
      const level = this.levelFor(q, levels.length);
      return compositeQuad(out, width, height, levels[level], this.maskLevels[level], level, q, lighting);
    });
    const region = unionBounds(quads, width, height);
    let kernel: Float32Array | undefined;
    let reach = region;
    if (view.blur >= 0.3) {
      const sigma = Math.round(view.blur * 10) / 10;
      kernel = this.kernel(sigma);
      if (toView) {
        scratch.sharp.set(out);
        blurForward(scratch.sharp, width, height, kernel, out);
      } else {
        // blur(scene + change) = blur(scene) + blur(change): the scene's blur is cached per
        // sigma, and only the patches' neighbourhood is blurred per view.
        const change = scratch.change;
        subtractRegion(out, scene.data, change, region, width, plane);
        out.set(this.blurredScene(scene, sigma, kernel));
        blurAddRegion(change, width, height, kernel, region, out);
        zeroRegion(change, region, width, plane);
      }
      reach = dilate(region, (kernel.length - 1) / 2, width, height);
    }
    noiseAndClip(out, view.noise, sample.noiseSeed, scratch.clipped);
    const clipped = cropRegion(scratch.clipped, reach, width, plane);
    return { quads, tape: { quads: quadTapes, kernel, region, reach, clipped } };
  }

  /**
   * Adds one view's d(loss)/d(level texels) into `levelGrads` for `grad`, d(loss)/d(pixels) of
   * the view (3 x H x W). Reads `grad` only where it can reach the patch.
   */
  backward(tape: ViewTape, grad: Float32Array, width: number, height: number, levels: readonly { width: number; height: number }[], levelGrads: Float32Array[]): void {
    const plane = width * height;
    const scratch = this.scratchFor(3 * plane);
    const g = scratch.grad;
    unclippedRegion(grad, tape.clipped, g, tape.reach, width, plane);
    let gq = g;
    if (tape.kernel) {
      gq = blurBackward(g, width, height, tape.kernel, tape.region, scratch.blurredGrad);
      zeroRegion(g, tape.reach, width, plane);
    }
    for (let q = tape.quads.length - 1; q >= 0; q--) {
      const qt = tape.quads[q];
      const level = levels[qt.level];
      compositeQuadBackward(qt, gq, width, height, levelGrads[qt.level], level.width, level.height);
    }
    zeroRegion(gq, tape.reach, width, plane);
  }

  /** The mip level whose texels are about one on-screen pixel. */
  private levelFor(quad: Quad, count: number): number {
    const { width, height } = this.maskLevels[0];
    const ratio = Math.sqrt((width * height) / Math.max(1e-6, quadArea(quad)));
    return Math.max(0, Math.min(count - 1, Math.floor(Math.log2(Math.max(1, ratio)))));
  }

  private scratchFor(size: number): Scratch {
    if (this.scratch?.size !== size) {
      this.scratch = { size, change: new Float32Array(size), sharp: new Float32Array(size), clipped: new Uint8Array(size), grad: new Float32Array(size), blurredGrad: new Float32Array(size) };
    }
    return this.scratch;
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

// Region helpers over 3 planes of width x (plane / width); regions are inside the image.

function zeroRegion(buf: Float32Array, [x0, y0, x1, y1]: Region, width: number, plane: number): void {
  for (let c = 0; c < 3; c++) for (let y = y0; y < y1; y++) buf.fill(0, c * plane + y * width + x0, c * plane + y * width + x1);
}

/** out = a - b inside the region. */
function subtractRegion(a: Float32Array, b: Float32Array, out: Float32Array, [x0, y0, x1, y1]: Region, width: number, plane: number): void {
  for (let c = 0; c < 3; c++) {
    for (let y = y0; y < y1; y++) {
      const row = c * plane + y * width;
      for (let i = row + x0; i < row + x1; i++) out[i] = a[i] - b[i];
    }
  }
}

/** The region's values, packed plane by plane, row by row. */
function cropRegion(src: Uint8Array, [x0, y0, x1, y1]: Region, width: number, plane: number): Uint8Array {
  const w = x1 - x0;
  const out = new Uint8Array(3 * w * (y1 - y0));
  let j = 0;
  for (let c = 0; c < 3; c++) {
    for (let y = y0; y < y1; y++, j += w) out.set(src.subarray(c * plane + y * width + x0, c * plane + y * width + x1), j);
  }
  return out;
}

/** out = grad inside the region, 0 where `clipped` (packed as cropRegion packs) is set. */
function unclippedRegion(grad: Float32Array, clipped: Uint8Array, out: Float32Array, [x0, y0, x1, y1]: Region, width: number, plane: number): void {
  let j = 0;
  for (let c = 0; c < 3; c++) {
    for (let y = y0; y < y1; y++) {
      const row = c * plane + y * width;
      for (let i = row + x0; i < row + x1; i++, j++) out[i] = clipped[j] ? 0 : grad[i];
    }
  }
}

function dilate(region: Region, r: number, width: number, height: number): Region {
  if (region[2] <= region[0] || region[3] <= region[1]) return region;
  return [Math.max(0, region[0] - r), Math.max(0, region[1] - r), Math.min(width, region[2] + r), Math.min(height, region[3] + r)];
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
