import { floatTensor } from '../../../src/engine/tensor/tensor';
import type { Compositor, SceneSample } from '../../../src/engine/render/compositor';
import { Rng } from '../../../src/engine/random';
import type { Plane } from '../../../src/engine/render/texture';

/**
 * Compares the compositor's backward pass with central finite differences of
 * loss = Σ w ⊙ render(texture) on a set of texels; returns the worst relative error.
 */
export function gradientCheck(compositor: Compositor, texture: Plane, samples: SceneSample[], opts: { probes?: number; h?: number; seed?: number } = {}): { worst: number; checked: number; nonzero: number } {
  const rng = new Rng(opts.seed ?? 7);
  const first = compositor.render(texture, samples);
  const weights = floatTensor(first.pixels.dims);
  for (let i = 0; i < weights.data.length; i++) weights.data[i] = rng.uniform(-1, 1);
  const loss = (t: Plane): number => {
    const px = compositor.render(t, samples).pixels.data;
    let s = 0;
    for (let i = 0; i < px.length; i++) s += weights.data[i] * px[i];
    return s;
  };
  const analytic = compositor.backward(first, weights);
  // Probe texels where the gradient is largest (where the patch is visible) plus random ones.
  const order = [...analytic.keys()].sort((a, b) => Math.abs(analytic[b]) - Math.abs(analytic[a]));
  const probes = opts.probes ?? 24;
  const chosen = new Set(order.slice(0, probes));
  while (chosen.size < probes * 1.5) chosen.add(rng.int(analytic.length));
  const h = opts.h ?? 2e-3;
  let worst = 0;
  let nonzero = 0;
  const scale = Math.max(...order.slice(0, 5).map((i) => Math.abs(analytic[i])));
  for (const i of chosen) {
    const plus = { ...texture, data: texture.data.slice() };
    const minus = { ...texture, data: texture.data.slice() };
    plus.data[i] += h;
    minus.data[i] -= h;
    const numeric = (loss(plus) - loss(minus)) / (2 * h);
    if (Math.abs(analytic[i]) > 0) nonzero++;
    worst = Math.max(worst, Math.abs(numeric - analytic[i]) / (Math.abs(numeric) + 0.02 * scale + 1e-6));
  }
  return { worst, checked: chosen.size, nonzero };
}
