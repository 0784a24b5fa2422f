/** A planar float image: `channels` planes of height x width, values nominally in [0, 1]. */
export interface Plane {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}

export function makePlane(width: number, height: number, channels: number, data?: Float32Array): Plane {
  const size = width * height * channels;
  if (data && data.length !== size) throw new Error(`plane data has ${data.length} values, ${channels}x${height}x${width} needs ${size}`);
  return { width, height, channels, data: data ?? new Float32Array(size) };
}

/**
 * A mip pyramid: level k+1 is the 2x2 box average of level k (edges replicated). The
 * compositor samples the level whose texel size matches the on-screen pixel size, so a patch
 * drawn small neither aliases nor sends its gradient to a sparse subset of texels.
 */
export function buildPyramid(base: Plane, minSize = 4): Plane[] {
  const levels = [base];
  for (;;) {
    const prev = levels[levels.length - 1];
    if (Math.min(prev.width, prev.height) / 2 < minSize) break;
    levels.push(downsample(prev));
  }
  return levels;
}

function downsample(src: Plane): Plane {
  const w = Math.ceil(src.width / 2);
  const h = Math.ceil(src.height / 2);
  const out = makePlane(w, h, src.channels);
  const sw = src.width;
  const sh = src.height;
  for (let c = 0; c < src.channels; c++) {
    const si = c * sw * sh;
    const oi = c * w * h;
    for (let y = 0; y < h; y++) {
      const y0 = 2 * y;
      const y1 = Math.min(sh - 1, y0 + 1);
      for (let x = 0; x < w; x++) {
        const x0 = 2 * x;
        const x1 = Math.min(sw - 1, x0 + 1);
        out.data[oi + y * w + x] = 0.25 * (src.data[si + y0 * sw + x0] + src.data[si + y0 * sw + x1] + src.data[si + y1 * sw + x0] + src.data[si + y1 * sw + x1]);
      }
    }
  }
  return out;
}

/** Adjoint of buildPyramid: folds the gradients of all levels into the base level's gradient. */
export function pyramidBackward(levelGrads: Float32Array[], levels: readonly Plane[]): Float32Array {
  for (let k = levelGrads.length - 1; k > 0; k--) {
    const g = levelGrads[k];
    const dst = levelGrads[k - 1];
    const src = levels[k - 1];
    const w = levels[k].width;
    const h = levels[k].height;
    const sw = src.width;
    const sh = src.height;
    for (let c = 0; c < src.channels; c++) {
      const si = c * sw * sh;
      const oi = c * w * h;
      for (let y = 0; y < h; y++) {
        const y0 = 2 * y;
        const y1 = Math.min(sh - 1, y0 + 1);
        for (let x = 0; x < w; x++) {
          const v = 0.25 * g[oi + y * w + x];
          if (v === 0) continue;
          const x0 = 2 * x;
          const x1 = Math.min(sw - 1, x0 + 1);
          dst[si + y0 * sw + x0] += v;
          dst[si + y0 * sw + x1] += v;
          dst[si + y1 * sw + x0] += v;
          dst[si + y1 * sw + x1] += v;
        }
      }
    }
  }
  return levelGrads[0];
}
