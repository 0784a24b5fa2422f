import { cloneTensor, normaliseL2, type Norm, perSample, project } from '../../classifier/batch';
import { type AttackInput, type AttackOutput, lossLabels, reachedGoal } from './goal';
import { CrossEntropyLoss, DlrLoss, type LogitLoss } from '../../classifier/losses';
import { Rng } from '../../random';

export interface ApgdOptions {
  eps: number;
  norm: Norm;
  /** Iterations; each costs one gradient query (plus one for the start). */
  steps: number;
  /** 'ce': cross-entropy (APGD-CE); 'dlr': difference of logits ratio (APGD-DLR). */
  loss: 'ce' | 'dlr';
  seed?: number;
}

/** Momentum weight of the new step (the paper's alpha). */
const ALPHA = 0.75;
/** A checkpoint halves the step unless at least this fraction of the steps since the last one raised the loss. */
const RHO = 0.75;

/**
 * Iterations at which the step size may be halved: p_0 = 0, p_1 = 0.22,
 * p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06) of the iterations (Croce & Hein 2020, eq. 4),
 * in the reference implementation's integer form (first gap 22%, each next 3% shorter, at least 6%).
 */
export function apgdCheckpoints(steps: number): number[] {
  const first = Math.max(Math.floor(0.22 * steps), 1);
  const shortest = Math.max(Math.floor(0.06 * steps), 1);
  const shrink = Math.max(Math.floor(0.03 * steps), 1);
  const out: number[] = [];
  for (let at = first, gap = first; at <= steps; gap = Math.max(gap - shrink, shortest), at += gap) out.push(at);
  return out;
}

/**
 * Auto-PGD (Croce & Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble
 * of diverse parameter-free attacks", Algorithm 1): PGD with momentum 0.75 whose step size starts
 * at 2 eps and halves at checkpoints where the loss stopped rising often enough (fewer than 75% of
 * the steps since the last checkpoint) or neither step nor best loss changed since the last one;
 * a halving restarts from the best point seen. Starts from a random point on the ball's surface
 * (seeded). Returns, per sample, the last iterate that reached the goal, else the highest-loss one.
 */
export async function apgd(input: AttackInput, options: ApgdOptions): Promise<AttackOutput> {
  const { x0 } = input;
  const n = x0.dims[0];
  const size = perSample(x0);
  const { eps, norm } = options;
  const targeted = input.targets !== undefined;
  const loss: LogitLoss = options.loss === 'dlr' ? new DlrLoss([...input.labels], input.targets && [...input.targets]) : new CrossEntropyLoss(lossLabels(input), targeted);
  const rng = new Rng(options.seed ?? 0);
  let x = surfaceStart(x0, eps, norm, rng);
  let previous = cloneTensor(x);
  const best = cloneTensor(x);
  const found = cloneTensor(x);
  const hasFound = new Array<boolean>(n).fill(false);
  const bestLoss = new Float64Array(n).fill(-Infinity);
  const eta = new Float64Array(n).fill(2 * eps);
  let queries = 0;

  const score = async (at: typeof x) => {
    const r = await input.classifier.gradient(at, loss);
    queries++;
    const classes = r.logits.dims[1];
    for (let s = 0; s < n; s++) {
      if (reachedGoal(input, s, r.logits.data.subarray(s * classes, (s + 1) * classes))) {
        hasFound[s] = true;
        found.data.set(at.data.subarray(s * size, (s + 1) * size), s * size);
      }
    }
    return r;
  };
  let current = await score(x);
  let grad = current.grad;
  const bestGrad = cloneTensor(grad);
  const record = (r: typeof current, at: typeof x): void => {
    for (let s = 0; s < n; s++) {
      if (r.loss[s] > bestLoss[s]) {
        bestLoss[s] = r.loss[s];
        best.data.set(at.data.subarray(s * size, (s + 1) * size), s * size);
        bestGrad.data.set(r.grad.data.subarray(s * size, (s + 1) * size), s * size);
      }
    }
  };
  record(current, x);

  const checkpoints = apgdCheckpoints(options.steps);
  let lastCheck = 0;
  const lossAtLastCheck = Float64Array.from(bestLoss);
  const reducedAtLastCheck = new Array<boolean>(n).fill(true);
  const rises = new Int32Array(n);
  let lastLoss = Float64Array.from(current.loss);

  for (let k = 0; k < options.steps; k++) {
    const direction = norm === 'l2' ? normaliseL2(grad) : grad;
    const z = cloneTensor(x);
    for (let s = 0; s < n; s++) {
      for (let i = s * size; i < (s + 1) * size; i++) z.data[i] += eta[s] * (norm === 'l2' ? direction.data[i] : Math.sign(direction.data[i]));
    }
    project(z, x0, eps, norm);
    // The first step has no momentum (alpha = 1), as in the reference implementation.
    const a = k === 0 ? 1 : ALPHA;
    const next = cloneTensor(x);
    for (let i = 0; i < next.data.length; i++) next.data[i] = x.data[i] + a * (z.data[i] - x.data[i]) + (1 - a) * (x.data[i] - previous.data[i]);
    project(next, x0, eps, norm);
    previous = x;
    x = next;
    current = await score(x);
    grad = current.grad;
    for (let s = 0; s < n; s++) if (current.loss[s] > lastLoss[s]) rises[s]++;
    lastLoss = Float64Array.from(current.loss);
    record(current, x);

    const step = k + 1;
    if (checkpoints.includes(step)) {
      const span = step - lastCheck;
      for (let s = 0; s < n; s++) {
        const oscillating = rises[s] < RHO * span;
        const stalled = !reducedAtLastCheck[s] && lossAtLastCheck[s] >= bestLoss[s];
        reducedAtLastCheck[s] = oscillating || stalled;
        lossAtLastCheck[s] = bestLoss[s];
        rises[s] = 0;
        if (!reducedAtLastCheck[s]) continue;
        eta[s] /= 2;
        // Restart from the best point, with its gradient; the momentum then carries the jump.
        x.data.set(best.data.subarray(s * size, (s + 1) * size), s * size);
        grad.data.set(bestGrad.data.subarray(s * size, (s + 1) * size), s * size);
      }
      lastCheck = step;
    }
  }
  const adversarial = cloneTensor(best);
  for (let s = 0; s < n; s++) if (hasFound[s]) adversarial.data.set(found.data.subarray(s * size, (s + 1) * size), s * size);
  return { adversarial, queries: new Array(n).fill(queries), extras: { bestLoss: Array.from(bestLoss) } };
}

/** A random point on the surface of the eps-ball (uniform sign pattern scaled to eps for L-inf), clipped to [0, 1]. */
function surfaceStart(x0: AttackInput['x0'], eps: number, norm: Norm, rng: Rng): AttackInput['x0'] {
  const x = cloneTensor(x0);
  const n = x0.dims[0];
  const size = perSample(x0);
  for (let s = 0; s < n; s++) {
    const t = new Float64Array(size);
    let scale = 0;
    for (let k = 0; k < size; k++) {
      t[k] = norm === 'linf' ? rng.uniform(-1, 1) : rng.normal();
      scale = norm === 'linf' ? Math.max(scale, Math.abs(t[k])) : scale + t[k] * t[k];
    }
    scale = norm === 'linf' ? scale : Math.sqrt(scale);
    for (let k = 0; k < size; k++) x.data[s * size + k] += (eps * t[k]) / (scale || 1);
  }
  project(x, x0, eps, norm);
  return x;
}
