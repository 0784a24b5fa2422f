import { applyH, homographyFromQuads, invert3, quadBounds, rectQuad, type Quad } from '../../shared/homography';
import { lightValueAndSlope, type Lighting } from './lighting';
import type { Plane } from './texture';

/** What one composited quad keeps for its backward pass. */
export interface QuadTape {
  level: number;
  /** Pixel indices (y·W + x) the patch touched, and per pixel its texture coordinates and alpha. */
  index: Int32Array;
  u: Float32Array;
  v: Float32Array;
  alpha: Float32Array;
  /** d(lit colour)/d(patch colour) per pixel, 3 planes of `index.length`: kept from forward so backward needs no powers. */
  slope: Float32Array;
  /** The image under the patch before compositing, 3 planes of `index.length`. */
  under: Float32Array;
  lighting: Lighting;
}

/**
 * Draws `texture` (with `alpha`, same size) into `image` (3 planes, W x H) so that the
 * texture's corners land on `quad`, by inverse mapping with bilinear sampling, lighting the
 * patch colours, and alpha-blending over what is there. Mutates `image`.
 */
export function compositeQuad(image: Float32Array, width: number, height: number, texture: Plane, alpha: Plane, level: number, quad: Quad, lighting: Lighting): QuadTape {
  const tw = texture.width;
  const th = texture.height;
  const toTexture = invert3(homographyFromQuads(rectQuad(0, 0, tw, th), quad));
  const [x0, y0, x1, y1] = quadBounds(quad, width, height);
  const cap = Math.max(0, (x1 - x0) * (y1 - y0));
  const index = new Int32Array(cap);
  const us = new Float32Array(cap);
  const vs = new Float32Array(cap);
  const alphas = new Float32Array(cap);
  const slope = new Float32Array(cap * 3);
  const under = new Float32Array(cap * 3);
  const plane = width * height;
  const tplane = tw * th;
  const td = texture.data;
  const ad = alpha.data;
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = toTexture;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    const py = y + 0.5;
    for (let x = x0; x < x1; x++) {
      const px = x + 0.5;
      const w = h6 * px + h7 * py + h8;
      const u = (h0 * px + h1 * py + h2) / w - 0.5;
      const v = (h3 * px + h4 * py + h5) / w - 0.5;
      if (u <= -1 || v <= -1 || u >= tw || v >= th) continue;
      const ix = Math.floor(u);
      const iy = Math.floor(v);
      const fx = u - ix;
      const fy = v - iy;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      // Alpha is zero outside the texture, so edges fade out; colour is clamped to the edge.
      const inX0 = ix >= 0;
      const inX1 = ix + 1 < tw;
      const inY0 = iy >= 0;
      const inY1 = iy + 1 < th;
      let a = 0;
      if (inY0 && inX0) a += w00 * ad[iy * tw + ix];
      if (inY0 && inX1) a += w10 * ad[iy * tw + ix + 1];
      if (inY1 && inX0) a += w01 * ad[(iy + 1) * tw + ix];
      if (inY1 && inX1) a += w11 * ad[(iy + 1) * tw + ix + 1];
      if (a <= 0) continue;
      const cx0 = ix < 0 ? 0 : ix;
      const cx1 = ix + 1 >= tw ? tw - 1 : ix + 1;
      const cy0 = iy < 0 ? 0 : iy;
      const cy1 = iy + 1 >= th ? th - 1 : iy + 1;
      const p = y * width + x;
      index[n] = p;
      us[n] = u;
      vs[n] = v;
      alphas[n] = a;
      for (let c = 0; c < 3; c++) {
        const t = c * tplane;
        const col = w00 * td[t + cy0 * tw + cx0] + w10 * td[t + cy0 * tw + cx1] + w01 * td[t + cy1 * tw + cx0] + w11 * td[t + cy1 * tw + cx1];
        const bg = image[c * plane + p];
        under[c * cap + n] = bg;
        image[c * plane + p] = bg + a * (lightValueAndSlope(col, c, lighting, slope, c * cap + n) - bg);
      }
      n++;
    }
  }
  return { level, index: index.subarray(0, n), u: us.subarray(0, n), v: vs.subarray(0, n), alpha: alphas.subarray(0, n), slope: compact(slope, cap, n), under: compact(under, cap, n), lighting };
}

function compact(planes: Float32Array, cap: number, n: number): Float32Array {
  const out = new Float32Array(n * 3);
  for (let c = 0; c < 3; c++) out.set(planes.subarray(c * cap, c * cap + n), c * n);
  return out;
}

/**
 * Adjoint of compositeQuad. `grad` (3 planes, W x H) holds d(loss)/d(image after this quad); on
 * return it holds d(loss)/d(image before it). d(loss)/d(texture) is added into `textureGrad`.
 */
export function compositeQuadBackward(tape: QuadTape, grad: Float32Array, width: number, height: number, textureGrad: Float32Array, tw: number, th: number): void {
  const plane = width * height;
  const tplane = tw * th;
  const n = tape.index.length;
  const slope = tape.slope;
  for (let i = 0; i < n; i++) {
    const p = tape.index[i];
    const a = tape.alpha[i];
    const u = tape.u[i];
    const v = tape.v[i];
    const ix = Math.floor(u);
    const iy = Math.floor(v);
    const fx = u - ix;
    const fy = v - iy;
    const cx0 = ix < 0 ? 0 : ix;
    const cx1 = ix + 1 >= tw ? tw - 1 : ix + 1;
    const cy0 = iy < 0 ? 0 : iy;
    const cy1 = iy + 1 >= th ? th - 1 : iy + 1;
    for (let c = 0; c < 3; c++) {
      const g = grad[c * plane + p];
      grad[c * plane + p] = g * (1 - a);
      const d = g * a * slope[c * n + i];
      if (d === 0) continue;
      const t = c * tplane;
      textureGrad[t + cy0 * tw + cx0] += d * (1 - fx) * (1 - fy);
      textureGrad[t + cy0 * tw + cx1] += d * fx * (1 - fy);
      textureGrad[t + cy1 * tw + cx0] += d * (1 - fx) * fy;
      textureGrad[t + cy1 * tw + cx1] += d * fx * fy;
    }
  }
}

/** Where the texture's corners land and the texture coordinates of one image pixel (for tests and overlays). */
export function textureCoordinate(quad: Quad, tw: number, th: number, x: number, y: number): [number, number] {
  return applyH(invert3(homographyFromQuads(rectQuad(0, 0, tw, th), quad)), x + 0.5, y + 0.5);
}
