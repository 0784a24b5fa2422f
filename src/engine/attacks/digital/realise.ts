import type { RasterImage } from '../../image/image';
import { BilinearResampler } from '../../image/resample';
import { resizeImage } from '../../image/resize';
import { floatTensor, type FloatTensor } from '../../tensor/tensor';
import { nearestSource, type ModelGeometry, type Upsample } from './pipeline-operator';

export interface RealiseOptions {
  /** L-inf budgets: the largest change of any 8-bit channel value, floor(255·eps). */
  maxLevels?: number;
  /** How the perturbation reaches full resolution: bilinear (dense attacks) or blocks (sparse ones, so L0 keeps its meaning). */
  upsample: Upsample;
  /** Perturbation scales to try in turn until `judge` accepts; minimum-norm attacks sit on the boundary and may need > 1. */
  scales: readonly number[];
  /** Does the model input (as the normal predict path computes it from the image) reach the goal? */
  judge: (modelInput: FloatTensor) => Promise<boolean>;
}

export interface Realised {
  image: RasterImage;
  /** What the model sees for `image`: its preprocessing of it, pixel space [1, 3, h, w]. */
  modelInput: FloatTensor;
  scale: number;
  accepted: boolean;
  /** Calls to `judge`. */
  checks: number;
}

/**
 * Turns an adversarial model input into an 8-bit image at the original resolution: upsample
 * the perturbation (adversarial - clean, both at model size) into the region of the model
 * input the image occupies, add it to the original, round to 8 bits (each change clamped to
 * the L-inf budget), and judge what the model's own preprocessing makes of the result.
 * Attacks optimise through PipelineOperator, so the perturbation they return is the one that
 * survives this; rounding is all that is left, and minimum-norm attacks, which stop right at
 * the decision boundary, may scale their perturbation up a little to get past it.
 */
export async function realise(original: RasterImage, geometry: ModelGeometry, clean: Float32Array, adversarial: Float32Array, options: RealiseOptions): Promise<Realised> {
  const frame = await modelFrame(original, geometry);
  const up = new Upsampler(original, geometry, frame, options.upsample);
  let checks = 0;
  let first: Omit<Realised, 'checks'> | undefined;
  for (const scale of options.scales) {
    const offset = up.apply(clean.map((v, i) => Math.min(1, Math.max(0, v + scale * (adversarial[i] - v))) - v));
    const image = compose(original, offset, options.maxLevels);
    const input = await modelInput(image, geometry);
    checks++;
    const accepted = await options.judge(input);
    const result = { image, modelInput: input, scale, accepted };
    first ??= result;
    if (accepted) return { ...result, checks };
  }
  return { ...first!, checks };
}

/** Where the original image sits inside the model input (all of it unless letterboxed). */
interface Frame {
  left: number;
  top: number;
  innerW: number;
  innerH: number;
}

async function modelFrame(original: RasterImage, geometry: ModelGeometry): Promise<Frame> {
  const { transform } = await resizeImage(original, geometry.width, geometry.height, { mode: geometry.resizeMode });
  return { left: transform.offsetX, top: transform.offsetY, innerW: Math.round(transform.scaleX * original.width), innerH: Math.round(transform.scaleY * original.height) };
}

/** Model-frame planes [3, h, w] in [0,1] units -> original-resolution interleaved offsets in 8-bit units. */
class Upsampler {
  private readonly resampler: BilinearResampler;

  constructor(
    private readonly original: RasterImage,
    private readonly geometry: ModelGeometry,
    private readonly frame: Frame,
    private readonly mode: Upsample,
  ) {
    this.resampler = new BilinearResampler(frame.innerW, frame.innerH, original.width, original.height);
  }

  apply(planes: Float32Array): Float32Array {
    const { width: W, height: H, channels } = this.original;
    const { width: w, height: h } = this.geometry;
    const { left, top, innerW, innerH } = this.frame;
    const crop = new Float32Array(innerW * innerH);
    const plane = new Float32Array(W * H);
    const out = new Float32Array(W * H * channels);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < innerH; y++) crop.set(planes.subarray(c * w * h + (top + y) * w + left, c * w * h + (top + y) * w + left + innerW), y * innerW);
      if (this.mode === 'bilinear') {
        this.resampler.forward(crop, 0, plane, 0);
      } else {
        for (let Y = 0; Y < H; Y++) {
          const y = nearestSource(Y, innerH, H);
          for (let X = 0; X < W; X++) plane[Y * W + X] = crop[y * innerW + nearestSource(X, innerW, W)];
        }
      }
      for (let p = 0; p < W * H; p++) out[p * channels + c] = plane[p] * 255;
    }
    return out;
  }
}

/** original + offset, rounded to 8 bits, each change clamped to the budget. */
function compose(original: RasterImage, offset: Float32Array, maxLevels?: number): RasterImage {
  const data = new Uint8Array(original.data.length);
  const limit = maxLevels ?? 255;
  for (let i = 0; i < data.length; i++) {
    const change = Math.max(-limit, Math.min(limit, Math.round(offset[i])));
    data[i] = Math.max(0, Math.min(255, original.data[i] + change));
  }
  return { ...original, data };
}

/** The model's normal preprocessing of an 8-bit image, in pixel space: resize, then /255. */
export async function modelInput(image: RasterImage, geometry: ModelGeometry): Promise<FloatTensor> {
  const { image: resized } = await resizeImage(image, geometry.width, geometry.height, { mode: geometry.resizeMode });
  return rasterToPixels([resized]);
}

/** 8-bit RGB images of one size -> pixel-space NCHW [0,1]. */
export function rasterToPixels(images: readonly RasterImage[]): FloatTensor {
  const { width: w, height: h } = images[0];
  const plane = w * h;
  const out = floatTensor([images.length, 3, h, w]);
  images.forEach((img, b) => {
    for (let c = 0; c < 3; c++) for (let p = 0; p < plane; p++) out.data[(b * 3 + c) * plane + p] = img.data[p * img.channels + c] / 255;
  });
  return out;
}
