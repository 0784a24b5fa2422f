import { describe, expect, it } from 'vitest';
import { carliniWagnerL2 } from '../../../../src/engine/attacks/digital/cw';
import { deepFool } from '../../../../src/engine/attacks/digital/deepfool';
import { fgsm } from '../../../../src/engine/attacks/digital/fgsm';
import { miFgsm } from '../../../../src/engine/attacks/digital/mifgsm';
import { pgd } from '../../../../src/engine/attacks/digital/pgd';
import { binaryModel, decision, imagesWithMargins, norm, sampleDelta, SIZE } from '../../../helpers/binary-linear';
import { linearClassifier, randomLinear, testImages } from '../../../helpers/linear-oracle';

const EPS = 8 / 255;

/** For z1 - z0 = w·x + b, moving class 0 -> 1 under an L-inf budget is best done by x0 + eps·sign(w). */
function vertex(w: Float64Array): Float64Array {
  return w.map((v) => EPS * Math.sign(v));
}

describe('FGSM', () => {
  for (const emits of ['logits', 'probabilities', 'sigmoid1'] as const) {
    it(`steps exactly eps·sign(w) on a linear two-class model (${emits} output)`, async () => {
      const { model, w, b } = binaryModel(11, emits);
      const { classifier } = await linearClassifier(model);
      const x0 = imagesWithMargins(w, b, [0.5, 1.0, 3.0]);
      const out = await fgsm({ classifier, x0, labels: [0, 0, 0] }, { eps: EPS });
      const expected = vertex(w);
      for (let i = 0; i < 3; i++) expect(Array.from(sampleDelta(out.adversarial, x0, i))).toEqual(Array.from(expected).map((v) => expect.closeTo(v, 6)));
      // f moves by exactly eps·|w|_1: the two small margins flip, the large one does not.
      const gain = EPS * norm(w, 'l1');
      const flipped = [0, 1, 2].map((i) => decision(w, b, out.adversarial.data.subarray(i * SIZE, (i + 1) * SIZE)) > 0);
      expect(flipped).toEqual([0.5, 1.0, 3.0].map((m) => m < gain));
      expect(out.queries).toEqual([1, 1, 1]);
    });
  }

  it('targeted: steps along sign(W^T(e_t - p)), computed by hand', async () => {
    const model = randomLinear(4, 4, 3, 2);
    const { classifier } = await linearClassifier(model);
    const x0 = testImages(1, 4, 4);
    const out = await fgsm({ classifier, x0, labels: [0], targets: [2] }, { eps: EPS });
    const z = model.weights.map((wk, k) => wk.reduce((a, v, p) => a + v * x0.data[p], model.bias[k]));
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    const p = e.map((v) => v / e.reduce((a, c) => a + c, 0));
    for (let k = 0; k < 48; k++) {
      const g = model.weights.reduce((a, wk, c) => a + ((c === 2 ? 1 : 0) - p[c]) * wk[k], 0);
      expect(out.adversarial.data[k] - x0.data[k]).toBeCloseTo(EPS * Math.sign(g), 6);
    }
  });
});

describe('PGD / BIM', () => {
  it('L-inf reaches the optimal vertex x0 + eps·sign(w), with or without a random start', async () => {
    const { model, w, b } = binaryModel();
    const { classifier } = await linearClassifier(model);
    const x0 = imagesWithMargins(w, b, [2.0, 4.0]);
    for (const randomStart of [false, true]) {
      const out = await pgd({ classifier, x0, labels: [0, 0] }, { eps: EPS, norm: 'linf', steps: 10, randomStart, seed: 3 });
      for (let i = 0; i < 2; i++) {
        const d = sampleDelta(out.adversarial, x0, i);
        vertex(w).forEach((v, k) => expect(d[k]).toBeCloseTo(v, 5));
      }
      expect(out.queries).toEqual([11, 11]);
    }
  });

  it('L2 reaches x0 + eps·w/|w|, the closest point to the boundary in the ball', async () => {
    const { model, w, b } = binaryModel();
    const { classifier } = await linearClassifier(model);
    const x0 = imagesWithMargins(w, b, [5.0]);
    const eps = 0.5;
    const out = await pgd({ classifier, x0, labels: [0] }, { eps, norm: 'l2', steps: 10, randomStart: false });
    const d = sampleDelta(out.adversarial, x0, 0);
    const wn = norm(w, 'l2');
    w.forEach((v, k) => expect(d[k]).toBeCloseTo((eps * v) / wn, 5));
    expect(norm(d, 'l2')).toBeCloseTo(eps, 5);
  });

  it('L2 with a random start converges to the same optimum (the off-axis part shrinks by eps/(eps+step) per step)', async () => {
    const { model, w, b } = binaryModel();
    const { classifier } = await linearClassifier(model);
    const x0 = imagesWithMargins(w, b, [5.0]);
    const out = await pgd({ classifier, x0, labels: [0] }, { eps: 0.5, norm: 'l2', steps: 20, stepSize: 0.5, randomStart: true, seed: 9 });
    const d = sampleDelta(out.adversarial, x0, 0);
    const cos = d.reduce((a, v, k) => a + v * w[k], 0) / (norm(d, 'l2') * norm(w, 'l2'));
    expect(cos).toBeGreaterThan(Math.cos(Math.PI / 180));
    expect(norm(d, 'l2')).toBeCloseTo(0.5, 4);
  });
});

describe('MI-FGSM', () => {
  it('with a constant gradient direction ends at the same vertex as FGSM, in steps of eps/T', async () => {
    const { model, w, b } = binaryModel();
    const { classifier } = await linearClassifier(model);
    const x0 = imagesWithMargins(w, b, [2.0]);
    const out = await miFgsm({ classifier, x0, labels: [0] }, { eps: EPS, steps: 5, mu: 1 });
    const d = sampleDelta(out.adversarial, x0, 0);
    vertex(w).forEach((v, k) => expect(d[k]).toBeCloseTo(v, 5));
    const three = await miFgsm({ classifier, x0, labels: [0] }, { eps: EPS, steps: 5, mu: 1 }).then(() => miFgsm({ classifier, x0, labels: [0] }, { eps: 3 * EPS, steps: 3, mu: 0.5 }));
    expect(norm(sampleDelta(three.adversarial, x0, 0), 'linf')).toBeCloseTo(3 * EPS, 5);
  });
});

describe('DeepFool', () => {
  it('finds the exact minimal L2 distance |f|/|w| of a linear two-class model in one step, times the overshoot', async () => {
    const { model, w, b } = binaryModel();
    const { classifier } = await linearClassifier(model);
    const margins = [0.5, 2.0];
    const x0 = imagesWithMargins(w, b, margins);
    const overshoot = 0.02;
    const out = await deepFool({ classifier, x0, labels: [0, 0] }, { overshoot, maxIter: 50, candidates: 10 });
    margins.forEach((m, i) => {
      const d = sampleDelta(out.adversarial, x0, i);
      expect(out.extras!.l2[i]).toBeCloseTo(((1 + overshoot) * (m + 1e-4)) / norm(w, 'l2'), 5);
      // Along w, not anywhere else.
      const cos = d.reduce((a, v, k) => a + v * w[k], 0) / (norm(d, 'l2') * norm(w, 'l2'));
      expect(cos).toBeCloseTo(1, 6);
      expect(decision(w, b, out.adversarial.data.subarray(i * SIZE, (i + 1) * SIZE))).toBeGreaterThan(0);
    });
    // Clean logits once, then one batched gradient per step (one candidate class) and one check.
    expect(out.queries).toEqual([3, 3]);
  });

  it('multi-class: lands just past the nearest of the linear boundaries min_k |f_k| / |w_k - w_y|', async () => {
    const model = randomLinear(4, 4, 5, 7);
    const { classifier } = await linearClassifier(model);
    const x0 = testImages(1, 4, 4, 8);
    const z = model.weights.map((wk, k) => wk.reduce((a, v, p) => a + v * x0.data[p], model.bias[k]));
    const y = z.indexOf(Math.max(...z));
    let best = Infinity;
    let nearest = -1;
    model.weights.forEach((wk, k) => {
      if (k === y) return;
      const diff = wk.map((v, p) => v - model.weights[y][p]);
      const dist = (Math.abs(z[k] - z[y]) + 1e-4) / norm(diff, 'l2');
      if (dist < best) [best, nearest] = [dist, k];
    });
    const out = await deepFool({ classifier, x0, labels: [y] }, { overshoot: 0.02, maxIter: 50, candidates: 10 });
    expect(out.extras!.l2[0]).toBeCloseTo(1.02 * best, 5);
    const after = await classifier.logits(out.adversarial);
    expect(Array.from(after.data).indexOf(Math.max(...after.data))).toBe(nearest);
  });
});

describe('Carlini-Wagner L2', () => {
  it('finds the minimal distance (f + kappa)/|w| of a linear model to within 2%, below DeepFool with overshoot', async () => {
    const { model, w, b } = binaryModel();
    const { classifier } = await linearClassifier(model);
    const margins = [0.5, 2.0];
    const x0 = imagesWithMargins(w, b, margins);
    const cw = await carliniWagnerL2({ classifier, x0, labels: [0, 0] }, { kappa: 0, searchSteps: 8, steps: 200, learningRate: 0.01, initialConst: 0.1 });
    const df = await deepFool({ classifier, x0, labels: [0, 0] }, { overshoot: 0.02, maxIter: 50, candidates: 10 });
    margins.forEach((m, i) => {
      const optimum = m / norm(w, 'l2');
      expect(cw.extras!.l2[i]).toBeGreaterThanOrEqual(optimum * 0.999);
      expect(cw.extras!.l2[i]).toBeLessThan(optimum * 1.02);
      expect(cw.extras!.l2[i]).toBeLessThan(df.extras!.l2[i]);
      expect(decision(w, b, cw.adversarial.data.subarray(i * SIZE, (i + 1) * SIZE))).toBeGreaterThan(0);
    });
  });

  it('with kappa the margin is reached: f(x) >= kappa at distance about (f + kappa)/|w|', async () => {
    const { model, w, b } = binaryModel();
    const { classifier } = await linearClassifier(model);
    const x0 = imagesWithMargins(w, b, [1.0]);
    const out = await carliniWagnerL2({ classifier, x0, labels: [0] }, { kappa: 1, searchSteps: 8, steps: 200, learningRate: 0.01, initialConst: 0.1 });
    expect(decision(w, b, out.adversarial.data)).toBeGreaterThanOrEqual(1 - 1e-4);
    expect(out.extras!.l2[0]).toBeLessThan((2.0 / norm(w, 'l2')) * 1.02);
  });
});
