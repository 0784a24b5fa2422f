import { floatTensor } from '../../tensor/tensor';
import { gatherSamples, perSample } from '../../classifier/batch';
import { type AttackInput, type AttackOutput, reachedGoal } from './goal';
import { Rng } from '../../random';

export interface HopSkipJumpOptions {
  /** Query budget per sample. */
  maxQueries: number;
  /** Gradient-estimation probes in the first iteration (grows with sqrt of the iteration). */
  initEvals: number;
  maxEvals: number;
  /** gamma of the paper: the binary-search threshold is gamma / d^(3/2). */
  gamma: number;
  seed?: number;
}

/**
 * HopSkipJump (Chen et al. 2020), L2, decision-based: only the top-1 label is read. Start from
 * any misclassified point (uniform noise, or another image) and binary-search to the decision boundary; then
 * repeat: estimate the boundary's normal from the signs of many random probes around the
 * boundary point, step along it with a geometric step-size search, and binary-search back to
 * the boundary towards the clean image. The distance to the clean image shrinks every round.
 */
export async function hopSkipJump(input: AttackInput, options: HopSkipJumpOptions): Promise<AttackOutput> {
  const { x0 } = input;
  const n = x0.dims[0];
  const rng = new Rng(options.seed ?? 0);
  const adversarial = floatTensor(x0.dims, Float32Array.from(x0.data));
  const queries: number[] = [];
  const l2: number[] = [];
  for (let s = 0; s < n; s++) {
    const run = new SampleRun(input, s, rng, options);
    const result = await run.attack();
    if (result) adversarial.data.set(result, s * perSample(x0));
    queries.push(run.queries);
    l2.push(result ? distance(result, run.origin) : NaN);
  }
  return { adversarial, queries, extras: { l2 } };
}

class SampleRun {
  queries = 0;
  readonly origin: Float32Array;
  private readonly dims: number[];
  private readonly d: number;
  private readonly theta: number;

  constructor(
    private readonly input: AttackInput,
    private readonly sample: number,
    private readonly rng: Rng,
    private readonly options: HopSkipJumpOptions,
  ) {
    this.origin = gatherSamples(input.x0, [sample]).data;
    this.dims = [1, ...input.x0.dims.slice(1)];
    this.d = this.origin.length;
    this.theta = options.gamma / (Math.sqrt(this.d) * this.d);
  }

  async attack(): Promise<Float32Array | undefined> {
    const start = await this.initialise();
    if (!start) return undefined;
    // As in the authors' code, the probe radius scales with the distance *before* each binary search.
    let searched = distance(start, this.origin);
    let point = await this.binarySearch(start);
    let dist = distance(point, this.origin);
    for (let t = 1; this.queries < this.options.maxQueries; t++) {
      const delta = t === 1 ? 0.1 : Math.sqrt(this.d) * this.theta * searched;
      const evals = Math.min(this.options.maxEvals, Math.floor(this.options.initEvals * Math.sqrt(t)), this.options.maxQueries - this.queries - 1);
      if (evals < 2) break;
      const direction = await this.estimateGradient(point, evals, delta);
      let step = dist / Math.sqrt(t);
      let candidate = move(point, direction, step);
      let adversarial = (await this.decide([candidate]))[0];
      while (!adversarial && step > 1e-8 && this.queries < this.options.maxQueries) {
        step /= 2;
        candidate = move(point, direction, step);
        adversarial = (await this.decide([candidate]))[0];
      }
      if (!adversarial) break;
      searched = distance(candidate, this.origin);
      point = await this.binarySearch(candidate);
      dist = distance(point, this.origin);
    }
    return point;
  }

  /**
   * A misclassified starting point, blended towards the clean image: the nearest image of the
   * pool that is already misclassified (a model may call every noise image the same class), else
   * uniform noise as in the paper.
   */
  private async initialise(): Promise<Float32Array | undefined> {
    const candidates: Float32Array[] = [];
    const pool = this.input.pool;
    if (pool) {
      const others = Array.from({ length: pool.dims[0] }, (_, i) => pool.data.subarray(i * this.d, (i + 1) * this.d)).filter((p) => distance(p, this.origin) > 0);
      const decided = others.length > 0 ? await this.decide(others) : [];
      candidates.push(...others.filter((_, i) => decided[i]).sort((a, b) => distance(a, this.origin) - distance(b, this.origin)).map((p) => Float32Array.from(p)));
    }
    for (let tries = 0; candidates.length === 0 && tries < 100 && this.queries < this.options.maxQueries; tries++) {
      const noise = Float32Array.from({ length: this.d }, () => this.rng.next());
      if ((await this.decide([noise]))[0]) candidates.push(noise);
    }
    const start = candidates[0];
    if (!start) return undefined;
    let lo = 0;
    let hi = 1;
    while (hi - lo > 0.001 && this.queries < this.options.maxQueries) {
      const mid = (lo + hi) / 2;
      if ((await this.decide([blend(this.origin, start, mid)]))[0]) hi = mid;
      else lo = mid;
    }
    return blend(this.origin, start, hi);
  }

  /** Binary search on the segment clean -> point; returns its adversarial end. */
  private async binarySearch(point: Float32Array): Promise<Float32Array> {
    let lo = 0;
    let hi = 1;
    while ((hi - lo) / this.theta > 1 && this.queries < this.options.maxQueries) {
      const mid = (lo + hi) / 2;
      if ((await this.decide([blend(this.origin, point, mid)]))[0]) hi = mid;
      else lo = mid;
    }
    return blend(this.origin, point, hi);
  }

  /** Monte-Carlo estimate of the boundary normal from the signs of probes at radius delta. */
  private async estimateGradient(point: Float32Array, evals: number, delta: number): Promise<Float32Array> {
    const probes: Float32Array[] = [];
    const directions: Float32Array[] = [];
    for (let e = 0; e < evals; e++) {
      const u = Float32Array.from({ length: this.d }, () => this.rng.normal());
      const norm = Math.sqrt(u.reduce((a, v) => a + v * v, 0));
      const probe = new Float32Array(this.d);
      const used = new Float32Array(this.d);
      for (let k = 0; k < this.d; k++) {
        probe[k] = clip(point[k] + (delta * u[k]) / norm);
        used[k] = (probe[k] - point[k]) / delta;
      }
      probes.push(probe);
      directions.push(used);
    }
    const signs = (await this.decide(probes)).map((b) => (b ? 1 : -1));
    const mean = signs.reduce((a, v) => a + v, 0) / evals;
    const grad = new Float32Array(this.d);
    directions.forEach((u, e) => {
      // All-equal signs carry no baseline information; the paper then averages the directions.
      const weight = Math.abs(mean) === 1 ? mean : signs[e] - mean;
      for (let k = 0; k < this.d; k++) grad[k] += (weight * u[k]) / evals;
    });
    const norm = Math.sqrt(grad.reduce((a, v) => a + v * v, 0)) || 1;
    return grad.map((v) => v / norm);
  }

  private async decide(points: Float32Array[]): Promise<boolean[]> {
    const out: boolean[] = [];
    for (let start = 0; start < points.length; start += 64) {
      const chunk = points.slice(start, start + 64);
      const batch = floatTensor([chunk.length, ...this.dims.slice(1)]);
      chunk.forEach((p, i) => batch.data.set(p, i * this.d));
      const logits = await this.input.classifier.logits(batch);
      const classes = logits.dims[1];
      this.queries += chunk.length;
      chunk.forEach((_, i) => out.push(reachedGoal(this.input, this.sample, logits.data.subarray(i * classes, (i + 1) * classes))));
    }
    return out;
  }
}

function blend(a: Float32Array, b: Float32Array, t: number): Float32Array {
  return a.map((v, k) => (1 - t) * v + t * b[k]);
}

function move(point: Float32Array, direction: Float32Array, step: number): Float32Array {
  return point.map((v, k) => clip(v + step * direction[k]));
}

function clip(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function distance(a: Float32Array, b: Float32Array): number {
  let sq = 0;
  for (let k = 0; k < a.length; k++) sq += (a[k] - b[k]) ** 2;
  return Math.sqrt(sq);
}

