import { floatTensor, type FloatTensor } from '../tensor/tensor';

/** Helpers over NCHW pixel batches: per-sample views, norms, projections. */

export function perSample(t: FloatTensor): number {
  return t.data.length / (t.dims[0] ?? 1);
}

export function batchOf(t: FloatTensor): number {
  return t.dims[0] ?? 1;
}

export function sampleView(t: FloatTensor, i: number): Float32Array {
  const size = perSample(t);
  return t.data.subarray(i * size, (i + 1) * size);
}

export function cloneTensor(t: FloatTensor): FloatTensor {
  return floatTensor(t.dims, Float32Array.from(t.data));
}

/** A batch made of the given samples of `t`, in that order (indices may repeat). */
export function gatherSamples(t: FloatTensor, rows: readonly number[]): FloatTensor {
  const size = perSample(t);
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, i) => out.set(t.data.subarray(r * size, (r + 1) * size), i * size));
  return floatTensor([rows.length, ...t.dims.slice(1)], out);
}

/** Writes the samples of `src` into `dst` at the given rows. */
export function scatterSamples(dst: FloatTensor, rows: readonly number[], src: FloatTensor): void {
  const size = perSample(dst);
  rows.forEach((r, i) => dst.data.set(src.data.subarray(i * size, (i + 1) * size), r * size));
}

/** Concatenates batches of equal sample shape. */
export function concatSamples(parts: readonly FloatTensor[]): FloatTensor {
  const total = parts.reduce((n, p) => n + batchOf(p), 0);
  const out = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p.data, offset);
    offset += p.data.length;
  }
  return floatTensor([total, ...parts[0].dims.slice(1)], out);
}

export type Norm = 'linf' | 'l2';

/** L-inf, L2, L1 norm of one flat vector. */
export function vectorNorm(v: ArrayLike<number>, p: 'linf' | 'l2' | 'l1'): number {
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]);
    if (p === 'linf') acc = Math.max(acc, a);
    else if (p === 'l2') acc += a * a;
    else acc += a;
  }
  return p === 'l2' ? Math.sqrt(acc) : acc;
}

/** Per-sample norm of (a - b), or of a alone. */
export function sampleNorms(a: FloatTensor, p: 'linf' | 'l2' | 'l1', b?: FloatTensor): Float64Array {
  const n = batchOf(a);
  const size = perSample(a);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = i * size; k < (i + 1) * size; k++) {
      const d = Math.abs(a.data[k] - (b ? b.data[k] : 0));
      if (p === 'linf') acc = Math.max(acc, d);
      else if (p === 'l2') acc += d * d;
      else acc += d;
    }
    out[i] = p === 'l2' ? Math.sqrt(acc) : acc;
  }
  return out;
}

export function clip01(t: FloatTensor): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] < 0 ? 0 : d[i] > 1 ? 1 : d[i];
}

/** Projects x onto {x : |x - x0|_p <= eps} ∩ [0,1]^n, per sample, in place. */
export function project(x: FloatTensor, x0: FloatTensor, eps: number, norm: Norm): void {
  const d = x.data;
  const o = x0.data;
  if (norm === 'linf') {
    for (let i = 0; i < d.length; i++) {
      const lo = Math.max(0, o[i] - eps);
      const hi = Math.min(1, o[i] + eps);
      d[i] = d[i] < lo ? lo : d[i] > hi ? hi : d[i];
    }
    return;
  }
  const n = batchOf(x);
  const size = perSample(x);
  // Clipping to the box after scaling onto the sphere can only shrink the norm, so one pass
  // of scale-then-clip stays inside both sets.
  for (let s = 0; s < n; s++) {
    let sq = 0;
    for (let k = s * size; k < (s + 1) * size; k++) sq += (d[k] - o[k]) ** 2;
    const norm2 = Math.sqrt(sq);
    const scale = norm2 > eps ? eps / norm2 : 1;
    for (let k = s * size; k < (s + 1) * size; k++) {
      const v = o[k] + (d[k] - o[k]) * scale;
      d[k] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
}

/** A uniformly random point of the eps-ball around x0 (the PGD random start), clipped to [0,1]. */
export function randomStart(x0: FloatTensor, eps: number, norm: Norm, rng: { uniform(lo: number, hi: number): number; normal(): number }): FloatTensor {
  const x = floatTensor(x0.dims);
  const n = batchOf(x0);
  const size = perSample(x0);
  for (let s = 0; s < n; s++) {
    if (norm === 'linf') {
      for (let k = s * size; k < (s + 1) * size; k++) x.data[k] = x0.data[k] + rng.uniform(-eps, eps);
    } else {
      // Uniform in the L2 ball: a Gaussian direction and radius eps * u^(1/d).
      const dir = new Float64Array(size);
      let sq = 0;
      for (let k = 0; k < size; k++) {
        dir[k] = rng.normal();
        sq += dir[k] * dir[k];
      }
      const radius = eps * Math.pow(rng.uniform(0, 1), 1 / size) / Math.sqrt(sq);
      for (let k = 0; k < size; k++) x.data[s * size + k] = x0.data[s * size + k] + dir[k] * radius;
    }
  }
  clip01(x);
  return x;
}

/** Scales each sample of `g` to unit L2 norm (zero samples stay zero). */
export function normaliseL2(g: FloatTensor): FloatTensor {
  const out = cloneTensor(g);
  const norms = sampleNorms(g, 'l2');
  const size = perSample(g);
  norms.forEach((norm, s) => {
    if (norm === 0) return;
    for (let k = s * size; k < (s + 1) * size; k++) out.data[k] /= norm;
  });
  return out;
}

export function argmaxRows(values: Float32Array, classes: number): number[] {
  const n = values.length / classes;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[i * classes + c] > values[i * classes + best]) best = c;
    out.push(best);
  }
  return out;
}

/** Softmax of each row of logits. */
export function softmaxRows(logits: Float32Array, classes: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[r * classes + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[r * classes + c] = Math.exp(logits[r * classes + c] - max);
    for (let c = 0; c < classes; c++) out[r * classes + c] /= sum;
  }
  return out;
}
