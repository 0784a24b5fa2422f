import type { Rng } from '../../random';
import type { RasterImage } from '../../image/image';
import { BilinearResampler } from '../../image/resample';
import { resizeImage, type ResizeMode } from '../../image/resize';
import { floatTensor, type FloatTensor } from '../../tensor/tensor';
import type { PixelTransform, TransformStep } from '../../defences/transform';

export interface ModelGeometry {
  width: number;
  height: number;
  resizeMode: ResizeMode;
}

export type Upsample = 'bilinear' | 'nearest';

/** One banded matrix in compressed rows: row r = sum_k weights[k] * x[cols[k]] for k in [starts[r], starts[r+1]). */
interface SparseRows {
  starts: Int32Array;
  cols: Int32Array;
  weights: Float32Array;
}

/**
 * What happens to a perturbation between the attack and the model. The attack works at the
 * model's input size; the runner upsamples its perturbation to the image's own resolution,
 * adds it there, and the model's normal preprocessing (libvips resize of the 8-bit image)
 * brings it back down. That round trip is linear and separable, A = A_y ⊗ A_x on the region
 * the image occupies, and it is far from the identity: it damps exactly the high-frequency
 * patterns gradient attacks like best. We measure A_x and A_y by running the same resize on
 * impulse images, so an attack can optimise through A (`PipelineTransform`) and its result
 * survives the trip.
 */
export class PipelineOperator {
  private constructor(
    readonly geometry: ModelGeometry,
    readonly left: number,
    readonly top: number,
    readonly innerW: number,
    readonly innerH: number,
    readonly ax: SparseRows,
    readonly ay: SparseRows,
    /** Exactly the identity: the image already has the model's size. */
    readonly identity: boolean,
  ) {}

  static async measure(width: number, height: number, geometry: ModelGeometry, upsample: Upsample): Promise<PipelineOperator> {
    const probe: RasterImage = { width, height, channels: 3, data: new Uint8Array(width * height * 3) };
    const { transform } = await resizeImage(probe, geometry.width, geometry.height, { mode: geometry.resizeMode });
    const innerW = Math.round(transform.scaleX * width);
    const innerH = Math.round(transform.scaleY * height);
    const identity = innerW === width && innerH === height;
    const [ax, ay] = identity
      ? [eye(innerW), eye(innerH)]
      : await Promise.all([roundTrip(innerW, width, upsample), roundTrip(innerH, height, upsample)]);
    return new PipelineOperator(geometry, transform.offsetX, transform.offsetY, innerW, innerH, ax, ay, identity);
  }

  /** A applied to model-frame planes [3, h, w] (outside the image region the result is 0). */
  apply(planes: Float32Array, offset = 0, out: Float32Array = new Float32Array(3 * this.geometry.width * this.geometry.height), outOffset = 0): Float32Array {
    return this.run(planes, offset, out, outOffset, false);
  }

  /** The transpose of A, for gradients. */
  adjoint(planes: Float32Array, offset = 0, out: Float32Array = new Float32Array(3 * this.geometry.width * this.geometry.height), outOffset = 0): Float32Array {
    return this.run(planes, offset, out, outOffset, true);
  }

  private run(src: Float32Array, offset: number, out: Float32Array, outOffset: number, transpose: boolean): Float32Array {
    const { width: w, height: h } = this.geometry;
    const { left, top, innerW, innerH, ax, ay } = this;
    const tmp = new Float32Array(innerW * innerH);
    for (let c = 0; c < 3; c++) {
      const base = offset + c * w * h;
      const dst = outOffset + c * w * h;
      out.fill(0, dst, dst + w * h);
      tmp.fill(0);
      // Along x within each row, then along y as whole-row updates: contiguous memory both ways.
      for (let y = 0; y < innerH; y++) {
        const from = base + (top + y) * w + left;
        const row = y * innerW;
        if (transpose) {
          for (let r = 0; r < innerW; r++) {
            const v = src[from + r];
            if (v !== 0) for (let k = ax.starts[r]; k < ax.starts[r + 1]; k++) tmp[row + ax.cols[k]] += ax.weights[k] * v;
          }
        } else {
          for (let r = 0; r < innerW; r++) {
            let sum = 0;
            for (let k = ax.starts[r]; k < ax.starts[r + 1]; k++) sum += ax.weights[k] * src[from + ax.cols[k]];
            tmp[row + r] = sum;
          }
        }
      }
      // A_y: output row r gathers rows cols[k]; its transpose scatters row r into rows cols[k].
      for (let r = 0; r < innerH; r++) {
        for (let k = ay.starts[r]; k < ay.starts[r + 1]; k++) {
          const weight = ay.weights[k];
          const to = transpose ? ay.cols[k] : r;
          const from = (transpose ? r : ay.cols[k]) * innerW;
          const o = dst + (top + to) * w + left;
          for (let x = 0; x < innerW; x++) out[o + x] += weight * tmp[from + x];
        }
      }
    }
    return out;
  }
}

function eye(n: number): SparseRows {
  return { starts: Int32Array.from({ length: n + 1 }, (_, i) => i), cols: Int32Array.from({ length: n }, (_, i) => i), weights: new Float32Array(n).fill(1) };
}

/**
 * The 1-D round trip model size n -> image size N (our upsampling) -> n (the predict path's
 * resize), measured: row i of a probe image N wide is 255 x the upsampled impulse e_i; resizing
 * the probe to n wide (height unchanged, so rows stay independent) gives column i of A.
 */
async function roundTrip(n: number, N: number, upsample: Upsample): Promise<SparseRows> {
  const lines = upsampleImpulses(n, N, upsample);
  const data = new Uint8Array(N * n * 3);
  for (let i = 0; i < n * N; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = Math.round(255 * lines[i]);
  const { image } = await resizeImage({ width: N, height: n, channels: 3, data }, n, n, { mode: 'stretch' });
  // image row i, column r = A[r][i].
  const dense = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let r = 0; r < n; r++) dense[r * n + i] = image.data[(i * n + r) * 3] / 255;
  const starts = new Int32Array(n + 1);
  const cols: number[] = [];
  const weights: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < n; i++) {
      if (dense[r * n + i] > 0) {
        cols.push(i);
        weights.push(dense[r * n + i]);
      }
    }
    starts[r + 1] = cols.length;
  }
  return { starts, cols: Int32Array.from(cols), weights: Float32Array.from(weights) };
}

/** Upsampled unit impulses, one line of length N per model position (n lines). */
export function upsampleImpulses(n: number, N: number, upsample: Upsample): Float32Array {
  const out = new Float32Array(n * N);
  const op = new BilinearResampler(n, 1, N, 1);
  const e = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (upsample === 'bilinear') {
      e.fill(0);
      e[i] = 1;
      op.forward(e, 0, out, i * N);
    } else {
      for (let X = 0; X < N; X++) if (nearestSource(X, n, N) === i) out[i * N + X] = 1;
    }
  }
  return out;
}

/**
 * x -> x0 + A (x - x0) for one image: what the model will see if the attack's perturbation
 * x - x0 is upsampled onto the image and the image goes through the predict path. Wrapping a
 * classifier in it makes any attack optimise the perturbation that survives.
 */
export class PipelineTransform implements PixelTransform {
  readonly name = 'pipeline';
  readonly randomised = false;
  readonly differentiable = true;

  constructor(
    readonly operator: PipelineOperator,
    /** The clean model input of this image, [3, h, w]. */
    readonly clean: Float32Array,
  ) {}

  async apply(pixels: FloatTensor, _rng?: Rng): Promise<TransformStep> {
    const size = this.clean.length;
    const n = pixels.data.length / size;
    const out = floatTensor(pixels.dims);
    const delta = new Float32Array(size);
    for (let s = 0; s < n; s++) {
      for (let k = 0; k < size; k++) delta[k] = pixels.data[s * size + k] - this.clean[k];
      this.operator.apply(delta, 0, out.data, s * size);
      for (let k = 0; k < size; k++) out.data[s * size + k] += this.clean[k];
    }
    const operator = this.operator;
    return {
      output: out,
      backward(grad) {
        const back = floatTensor(grad.dims);
        for (let s = 0; s < n; s++) operator.adjoint(grad.data, s * size, back.data, s * size);
        return back;
      },
    };
  }
}

/** Block (nearest) upsampling from n to N positions: the model position image position X copies. */
export function nearestSource(X: number, n: number, N: number): number {
  return Math.min(n - 1, Math.floor(((X + 0.5) * n) / N));
}
