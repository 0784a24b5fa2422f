/**
 * Bilinear resampling of float planes as an explicit linear operator, with its exact adjoint
 * (transpose), so pixel-space transforms built from it (random resize, ensembles of models with
 * different input sizes, upsampling a perturbation) can be back-propagated through.
 * Half-pixel centres, edge-clamped, like ONNX Resize `half_pixel` / OpenCV INTER_LINEAR.
 */
export class BilinearResampler {
  private readonly x0: Int32Array;
  private readonly x1: Int32Array;
  private readonly wx: Float32Array;
  private readonly y0: Int32Array;
  private readonly y1: Int32Array;
  private readonly wy: Float32Array;

  constructor(
    readonly inWidth: number,
    readonly inHeight: number,
    readonly outWidth: number,
    readonly outHeight: number,
  ) {
    [this.x0, this.x1, this.wx] = taps(inWidth, outWidth);
    [this.y0, this.y1, this.wy] = taps(inHeight, outHeight);
  }

  /**
   * Resamples one plane `src` (inHeight x inWidth) into `dst`, whose rows are `dstStride` wide,
   * writing the outHeight x outWidth result at (top, left).
   */
  forward(src: Float32Array, srcOffset: number, dst: Float32Array, dstOffset: number, dstStride = this.outWidth, top = 0, left = 0): void {
    const { inWidth } = this;
    for (let y = 0; y < this.outHeight; y++) {
      const r0 = srcOffset + this.y0[y] * inWidth;
      const r1 = srcOffset + this.y1[y] * inWidth;
      const fy = this.wy[y];
      const out = dstOffset + (top + y) * dstStride + left;
      for (let x = 0; x < this.outWidth; x++) {
        const a = this.x0[x];
        const b = this.x1[x];
        const fx = this.wx[x];
        const upper = src[r0 + a] + fx * (src[r0 + b] - src[r0 + a]);
        const lower = src[r1 + a] + fx * (src[r1 + b] - src[r1 + a]);
        dst[out + x] = upper + fy * (lower - upper);
      }
    }
  }

  /** Adds the adjoint of `forward` applied to `grad` (laid out as forward's dst) into `srcGrad`. */
  adjoint(grad: Float32Array, gradOffset: number, srcGrad: Float32Array, srcOffset: number, gradStride = this.outWidth, top = 0, left = 0): void {
    const { inWidth } = this;
    for (let y = 0; y < this.outHeight; y++) {
      const r0 = srcOffset + this.y0[y] * inWidth;
      const r1 = srcOffset + this.y1[y] * inWidth;
      const fy = this.wy[y];
      const row = gradOffset + (top + y) * gradStride + left;
      for (let x = 0; x < this.outWidth; x++) {
        const g = grad[row + x];
        if (g === 0) continue;
        const a = this.x0[x];
        const b = this.x1[x];
        const fx = this.wx[x];
        srcGrad[r0 + a] += g * (1 - fy) * (1 - fx);
        srcGrad[r0 + b] += g * (1 - fy) * fx;
        srcGrad[r1 + a] += g * fy * (1 - fx);
        srcGrad[r1 + b] += g * fy * fx;
      }
    }
  }
}

function taps(inSize: number, outSize: number): [Int32Array, Int32Array, Float32Array] {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const w = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const src = Math.min(inSize - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    lo[i] = Math.floor(src);
    hi[i] = Math.min(inSize - 1, lo[i] + 1);
    w[i] = src - lo[i];
  }
  return [lo, hi, w];
}
