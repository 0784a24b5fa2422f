import type { FloatTensor } from '../../tensor/tensor';
import { gatherSamples, perSample } from '../../classifier/batch';
import { type AttackInput, type AttackOutput } from './goal';
import { Rng } from '../../random';

export interface SquareOptions {
  eps: number;
  /** Query budget per sample. */
  maxQueries: number;
  /** Initial fraction of pixels a square covers (0.05 in the paper for L-inf). */
  pInit: number;
  seed?: number;
}

/**
 * Square Attack (Andriushchenko et al. 2020), L-inf, score-based: random search that only
 * reads the model's scores. Start from vertical stripes of ±eps, then repeatedly propose
 * setting one random square (one colour per channel, ±eps) and keep it if the margin
 * loss drops; the square shrinks on a fixed schedule. Stops per sample on success.
 */
export async function squareAttack(input: AttackInput, options: SquareOptions): Promise<AttackOutput> {
  const { x0 } = input;
  const [n, channels, h, w] = x0.dims;
  const size = perSample(x0);
  const rng = new Rng(options.seed ?? 0);
  const delta = new Float32Array(x0.data.length);
  for (let s = 0; s < n; s++)
    for (let c = 0; c < channels; c++)
      for (let col = 0; col < w; col++) {
        const v = options.eps * rng.sign();
        for (let row = 0; row < h; row++) delta[s * size + c * h * w + row * w + col] = v;
      }
  const compose = (rows: readonly number[], d: Float32Array): FloatTensor => {
    const x = gatherSamples(x0, rows);
    rows.forEach((s, i) => {
      for (let k = 0; k < size; k++) x.data[i * size + k] = clip(x0.data[s * size + k] + d[s * size + k]);
    });
    return x;
  };
  const all = Array.from({ length: n }, (_, s) => s);
  const best = await margins(input, compose(all, delta), all);
  const queries = new Array(n).fill(1);
  let active = all.filter((s) => best[s] >= 0);
  for (let iter = 1; active.length > 0; iter++) {
    active = active.filter((s) => queries[s] < options.maxQueries);
    if (active.length === 0) break;
    const side = Math.min(h - 1, Math.max(1, Math.round(Math.sqrt(pSchedule(options.pInit, iter, options.maxQueries) * h * w))));
    const proposal = Float32Array.from(delta);
    for (const s of active) {
      const top = rng.int(h - side + 1);
      const left = rng.int(w - side + 1);
      for (let c = 0; c < channels; c++) {
        const v = options.eps * rng.sign();
        for (let row = top; row < top + side; row++)
          for (let col = left; col < left + side; col++) proposal[s * size + c * h * w + row * w + col] = v;
      }
    }
    const tried = await margins(input, compose(active, proposal), active);
    active.forEach((s) => {
      queries[s]++;
      if (tried[s] < best[s]) {
        best[s] = tried[s];
        delta.set(proposal.subarray(s * size, (s + 1) * size), s * size);
      }
    });
    active = active.filter((s) => best[s] >= 0);
  }
  return { adversarial: compose(all, delta), queries };
}

function clip(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** The margin to minimise, per sample (indexed by sample): negative once the goal is reached. */
async function margins(input: AttackInput, x: FloatTensor, rows: readonly number[]): Promise<Float64Array> {
  const logits = await input.classifier.logits(x);
  const classes = logits.dims[1];
  const out = new Float64Array(input.x0.dims[0]).fill(NaN);
  rows.forEach((s, i) => {
    const row = logits.data.subarray(i * classes, (i + 1) * classes);
    const y = input.targets ? input.targets[s] : input.labels[s];
    let other = -Infinity;
    for (let c = 0; c < classes; c++) if (c !== y) other = Math.max(other, row[c]);
    out[s] = input.targets ? other - row[y] : row[y] - other;
  });
  return out;
}

/** The paper's piecewise-constant schedule, rescaled from its 10,000-query reference run. */
function pSchedule(pInit: number, iter: number, budget: number): number {
  const it = Math.floor((iter / budget) * 10000);
  const bounds = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];
  let p = pInit;
  for (const b of bounds) if (it > b) p /= 2;
  return p;
}
