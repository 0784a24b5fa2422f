/** Rectangle [x0, y0, x1) x [y0, y1) in pixels. */
export type Region = readonly [number, number, number, number];

export function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Separable Gaussian blur of 3 planes (W x H) with edges replicated, into `out` (overwritten; a new array when omitted). */
export function blurForward(image: Float32Array, width: number, height: number, kernel: Float32Array, out?: Float32Array): Float32Array {
  const r = (kernel.length - 1) / 2;
  const taps = kernel.length;
  const plane = width * height;
  const tmp = new Float32Array(plane);
  if (out) out.fill(0, 0, 3 * plane);
  else out = new Float32Array(image.length);
  const padded = new Float32Array(width + 2 * r);
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    // Horizontal: copy the row into an edge-replicated buffer, then convolve without branches.
    for (let y = 0; y < height; y++) {
      const row = base + y * width;
      padded.set(image.subarray(row, row + width), r);
      padded.fill(image[row], 0, r);
      padded.fill(image[row + width - 1], r + width);
      const t = y * width;
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let k = 0; k < taps; k++) s += kernel[k] * padded[x + k];
        tmp[t + x] = s;
      }
    }
    // Vertical: whole rows at a time, so the inner loop runs along memory.
    for (let y = 0; y < height; y++) {
      const dst = base + y * width;
      for (let k = -r; k <= r; k++) {
        const yy = y + k < 0 ? 0 : y + k >= height ? height - 1 : y + k;
        const w = kernel[k + r];
        const src = yy * width;
        for (let x = 0; x < width; x++) out[dst + x] += w * tmp[src + x];
      }
    }
  }
  return out;
}

/**
 * Adds blur(src) to `out` over `region` dilated by the kernel radius, where `src` is zero
 * outside `region`: by linearity, blur(scene + patch change) = blur(scene) + blur(change), so a
 * view only blurs around its patches and reuses the scene's blur.
 */
export function blurAddRegion(src: Float32Array, width: number, height: number, kernel: Float32Array, region: Region, out: Float32Array): void {
  const r = (kernel.length - 1) / 2;
  const taps = kernel.length;
  const plane = width * height;
  const x0 = Math.max(0, region[0] - r);
  const y0 = Math.max(0, region[1] - r);
  const x1 = Math.min(width, region[2] + r);
  const y1 = Math.min(height, region[3] + r);
  if (x1 <= x0 || y1 <= y0) return;
  const w = x1 - x0;
  const ry0 = Math.max(0, region[1]);
  const ry1 = Math.min(height, region[3]);
  // Horizontal pass over the region's rows only, through an edge-replicated row buffer.
  const tmp = new Float32Array(w * Math.max(0, ry1 - ry0));
  const padded = new Float32Array(w + 2 * r);
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    for (let y = ry0; y < ry1; y++) {
      const row = base + y * width;
      for (let j = 0; j < padded.length; j++) {
        const xx = x0 - r + j;
        padded[j] = src[row + (xx < 0 ? 0 : xx >= width ? width - 1 : xx)];
      }
      const t = (y - ry0) * w;
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let k = 0; k < taps; k++) s += kernel[k] * padded[x + k];
        tmp[t + x] = s;
      }
    }
    for (let y = y0; y < y1; y++) {
      const dst = base + y * width;
      for (let k = -r; k <= r; k++) {
        const yy = y + k < 0 ? 0 : y + k >= height ? height - 1 : y + k;
        if (yy < ry0 || yy >= ry1) continue;
        const wk = kernel[k + r];
        const t = (yy - ry0) * w;
        for (let x = x0; x < x1; x++) out[dst + x] += wk * tmp[t + x - x0];
      }
    }
  }
}

/**
 * Adjoint of blurForward, computed only where it is needed: adds (blurᵀ · grad) inside
 * `region` into `out` (a new zeroed array when omitted; only the region is written). Only the
 * pixels within the kernel radius of the region are read.
 */
export function blurBackward(grad: Float32Array, width: number, height: number, kernel: Float32Array, region: Region, out: Float32Array = new Float32Array(grad.length)): Float32Array {
  const r = (kernel.length - 1) / 2;
  const plane = width * height;
  const [rx0, ry0, rx1, ry1] = region;
  const cx0 = Math.max(0, rx0 - r);
  const cx1 = Math.min(width, rx1 + r);
  const qy0 = Math.max(0, ry0 - r);
  const qy1 = Math.min(height, ry1 + r);
  // The transposed vertical pass only lands in the region's rows and dilated columns.
  const cw = cx1 - cx0;
  const tmp = new Float32Array(Math.max(0, cw * (ry1 - ry0)));
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    tmp.fill(0);
    // Vertical pass transposed: scatter each output row into the rows it was gathered from.
    for (let qy = qy0; qy < qy1; qy++) {
      for (let k = -r; k <= r; k++) {
        const py = qy + k < 0 ? 0 : qy + k >= height ? height - 1 : qy + k;
        if (py < ry0 || py >= ry1) continue;
        const w = kernel[k + r];
        const src = base + qy * width;
        const dst = (py - ry0) * cw - cx0;
        for (let x = cx0; x < cx1; x++) tmp[dst + x] += w * grad[src + x];
      }
    }
    // Horizontal pass transposed.
    for (let y = ry0; y < ry1; y++) {
      const row = y * width;
      const trow = (y - ry0) * cw - cx0;
      for (let qx = cx0; qx < cx1; qx++) {
        const g = tmp[trow + qx];
        if (g === 0) continue;
        if (qx - r >= 0 && qx + r < width) {
          // Away from the image's edges nothing is clamped: only the taps landing in the region.
          const k1 = Math.min(r, rx1 - 1 - qx);
          for (let k = Math.max(-r, rx0 - qx); k <= k1; k++) out[base + row + qx + k] += kernel[k + r] * g;
          continue;
        }
        for (let k = -r; k <= r; k++) {
          const px = qx + k < 0 ? 0 : qx + k >= width ? width - 1 : qx + k;
          if (px < rx0 || px >= rx1) continue;
          out[base + row + px] += kernel[k + r] * g;
        }
      }
    }
  }
  return out;
}
