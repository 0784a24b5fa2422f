import { sizeOf } from '../../tensor/tensor';

export type FloatData = Float32Array | Float64Array;

function like(data: FloatData, n: number): FloatData {
  return data instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/**
 * Weights of the Conv that computes a Conv's input gradient at stride 1: W [M, C/g, k...]
 * becomes [C, M/g, k...] with every spatial axis reversed, group by group.
 */
export function flippedTransposedWeights(w: FloatData, dims: readonly number[], group: number): { data: FloatData; dims: number[] } {
  const [m, cg, ...kernel] = dims;
  const mg = m / group;
  const plane = sizeOf(kernel);
  const out = like(w, w.length);
  for (let gi = 0; gi < group; gi++) {
    for (let ml = 0; ml < mg; ml++) {
      for (let cl = 0; cl < cg; cl++) {
        const src = ((gi * mg + ml) * cg + cl) * plane;
        const dst = ((gi * cg + cl) * mg + ml) * plane;
        for (let p = 0; p < plane; p++) out[dst + plane - 1 - p] = w[src + p];
      }
    }
  }
  return { data: out, dims: [cg * group, mg, ...kernel] };
}

/** The taps of one output phase along one axis: kernel index for each sub-kernel position. */
export interface PhaseTaps {
  /** Offset into the gradient of the first tap (dy[q + first] feeds dx[q * stride + phase]). */
  first: number;
  /** Kernel indices, for sub-kernel positions 0, 1, ... */
  taps: number[];
}

/**
 * For stride s, padding p and phase a (dx index ≡ a mod s), the kernel taps that reach it:
 * dx[q s + a] = sum over k ≡ a + p (mod s) of w[k] dy[q + (a + p - k) / s].
 */
export function phaseTaps(kernel: number, stride: number, padBegin: number, phase: number): PhaseTaps {
  const offsets: { t: number; k: number }[] = [];
  for (let k = 0; k < kernel; k++) {
    const r = phase + padBegin - k;
    if (((r % stride) + stride) % stride === 0) offsets.push({ t: r / stride, k });
  }
  offsets.sort((a, b) => a.t - b.t);
  return { first: offsets[0]?.t ?? 0, taps: offsets.map((o) => o.k) };
}

/** Sub-kernel [C, M/g, th, tw] of a 2-D Conv weight W [M, C/g, kh, kw] for one output phase. */
export function phaseWeights(w: FloatData, dims: readonly number[], group: number, rows: number[], cols: number[]): { data: FloatData; dims: number[] } {
  const [m, cg, kh, kw] = dims;
  const mg = m / group;
  const out = like(w, cg * group * mg * rows.length * cols.length);
  let o = 0;
  for (let gi = 0; gi < group; gi++) {
    for (let cl = 0; cl < cg; cl++) {
      for (let ml = 0; ml < mg; ml++) {
        const base = ((gi * mg + ml) * cg + cl) * kh * kw;
        for (const r of rows) for (const c of cols) out[o++] = w[base + r * kw + c];
      }
    }
  }
  return { data: out, dims: [cg * group, mg, rows.length, cols.length] };
}
