import { describe, expect, it } from 'vitest';
import { fgsm } from '../../../../src/engine/attacks/digital/fgsm';
import { hopSkipJump } from '../../../../src/engine/attacks/digital/hopskipjump';
import { jsma } from '../../../../src/engine/attacks/digital/jsma';
import { squareAttack } from '../../../../src/engine/attacks/digital/square';
import { transferAttack } from '../../../../src/engine/attacks/digital/transfer';
import { perturbed, universalPerturbation, universalSgd } from '../../../../src/engine/attacks/digital/universal';
import { gatherSamples } from '../../../../src/engine/classifier/batch';
import { floatTensor, type FloatTensor } from '../../../../src/engine/tensor/tensor';
import { binaryModel, decision, H, imagesWithMargins, norm, sampleDelta, SIZE, W } from '../../../helpers/binary-linear';
import { evaluations, linearClassifier, type LinearModel } from '../../../helpers/linear-oracle';

const EPS = 8 / 255;

describe('JSMA', () => {
  it('changes only the pixels that matter to the target, two at a time, and exactly as many as needed', async () => {
    // z1 - z0 = 2a·sum_{p in P} (R+G+B)(p) - m: only the 6 pixels of P move the decision.
    const plane = W * H;
    const P = [3, 10, 17, 40, 51, 60];
    const a = 0.5;
    const w1 = new Float64Array(SIZE);
    for (const p of P) for (let c = 0; c < 3; c++) w1[c * plane + p] = a;
    const w0 = w1.map((v) => -v);
    const x0 = floatTensor([1, 3, H, W], new Float32Array(SIZE).fill(0.5));
    // Clean: 2a·6·1.5 = 9. Raising one pixel to white (+1.5 per pixel) adds 2a·1.5 = 1.5 to z1 - z0;
    // with m = 9 + 5.5 four pixels (+6) are needed, i.e. two pairs.
    const model: LinearModel = { width: W, height: H, weights: [w0, w1], bias: [0, -(9 + 5.5)] };
    const { classifier } = await linearClassifier(model);
    const out = await jsma({ classifier, x0, labels: [0], targets: [1] }, { theta: 1, maxFraction: 0.1, candidates: 64 });
    const changed = [...Array(plane).keys()].filter((p) => [0, 1, 2].some((c) => out.adversarial.data[c * plane + p] !== 0.5));
    expect(changed.length).toBe(4);
    expect(changed.every((p) => P.includes(p))).toBe(true);
    expect(decision(w1.map((v, k) => v - w0[k]), -(9 + 5.5), out.adversarial.data)).toBeGreaterThan(0);
    // Clean logits, then two gradient rows per iteration: two changes and a final check.
    expect(out.queries).toEqual([1 + 3 * 2]);
    // With a margin of 1 logit, four pixels (lead 0.5) are not enough: the third pair brings the lead to 3.5.
    const margin = await jsma({ classifier, x0, labels: [0], targets: [1] }, { theta: 1, maxFraction: 0.1, candidates: 64, kappa: 1 });
    const changedWithMargin = [...Array(plane).keys()].filter((p) => [0, 1, 2].some((c) => margin.adversarial.data[c * plane + p] !== 0.5));
    expect(changedWithMargin.length).toBe(6);
    expect(decision(w1.map((v, k) => v - w0[k]), -(9 + 5.5), margin.adversarial.data)).toBeCloseTo(3.5, 4);
  });

  it('works on a single-score (sigmoid logit) model too: only the pixels that move the score change', async () => {
    const plane = W * H;
    const P = [5, 9, 22, 33, 47, 58];
    const w = new Float64Array(SIZE);
    for (const p of P) for (let c = 0; c < 3; c++) w[c * plane + p] = 0.5;
    const x0 = floatTensor([1, 3, H, W], new Float32Array(SIZE).fill(0.5));
    // z = w·x - 7 = 4.5 - 7 = -2.5 (class 0); each pixel raised to white adds 0.75, so four pixels (two pairs) flip it.
    const model: LinearModel = { width: W, height: H, weights: [w], bias: [-(4.5 + 2.5)], emits: 'logits' };
    const { classifier } = await linearClassifier(model, ['real'], 'sigmoid');
    const out = await jsma({ classifier, x0, labels: [0] }, { theta: 1, maxFraction: 0.1, candidates: 64 });
    const changed = [...Array(plane).keys()].filter((p) => [0, 1, 2].some((c) => out.adversarial.data[c * plane + p] !== 0.5));
    expect(changed.length).toBe(4);
    expect(changed.every((p) => P.includes(p))).toBe(true);
    expect(out.extras!.target).toEqual([1]);
  });

  it('stops at the pixel budget when the target cannot be reached', async () => {
    const { model, w, b } = binaryModel();
    // The same decision w·x + b split over both logits, so the other logit falls where the target's rises.
    const split: LinearModel = { ...model, weights: [model.weights[1].map((v) => -v / 2), model.weights[1].map((v) => v / 2)], bias: [0, b] };
    const { classifier } = await linearClassifier(split);
    const x0 = imagesWithMargins(w, b, [40]);
    const out = await jsma({ classifier, x0, labels: [0], targets: [1] }, { theta: 1, maxFraction: 0.1, candidates: 64 });
    const plane = W * H;
    const changed = [...Array(plane).keys()].filter((p) => [0, 1, 2].some((c) => out.adversarial.data[c * plane + p] !== x0.data[c * plane + p]));
    expect(changed.length).toBeLessThanOrEqual(Math.floor(0.1 * plane));
    expect(changed.length).toBeGreaterThan(2);
  });
});

describe('universal perturbation', () => {
  it('on a linear model converges to eps·sign(w) and fools exactly the images with margin below eps·|w|_1', async () => {
    const { model, w, b } = binaryModel();
    const { classifier } = await linearClassifier(model);
    const gain = EPS * norm(w, 'l1');
    const margins = [0.2, 0.5, 0.8, 0.9, 1.1, 1.3, 2 * gain, 3 * gain].map((m) => (m <= 1.3 ? m * gain * 0.7 : m));
    const images = imagesWithMargins(w, b, margins);
    const result = await universalPerturbation(classifier, images, {
      eps: EPS,
      norm: 'linf',
      targetRate: 1,
      maxPasses: 20,
      deepfool: { overshoot: 0.02, maxIter: 10, candidates: 10 },
    });
    // Every DeepFool step is along w, clipped to the ball: v has the signs of w and tends to eps·sign(w).
    const v = result.perturbation.data;
    expect(norm(v, 'linf')).toBeLessThanOrEqual(EPS + 1e-7);
    w.forEach((wk, k) => expect(Math.sign(v[k])).toBe(Math.sign(wk)));
    expect(decision(w, 0, v)).toBeGreaterThan(0.9 * gain);
    // The best universal perturbation fools exactly the images with margin below eps·|w|_1; so does this one.
    const foolable = margins.filter((m) => m < gain).length;
    expect(foolable).toBe(6);
    expect(result.rates.at(-1)).toBeCloseTo(foolable / margins.length, 10);
  });
});

describe('universal perturbation by sign-gradient ascent (sgd)', () => {
  it('on a linear model reaches exactly eps·sign(w), the best universal L-inf perturbation', async () => {
    const { model, w, b } = binaryModel();
    const { classifier } = await linearClassifier(model);
    const gain = EPS * norm(w, 'l1');
    const margins = [0.3, 0.6, 0.9, 1.5, 3].map((m) => m * gain * 0.7);
    const images = imagesWithMargins(w, b, margins);
    const result = await universalSgd(classifier, images, { eps: EPS, norm: 'linf', steps: 10, lossCap: 100 });
    w.forEach((wk, k) => expect(result.perturbation.data[k]).toBeCloseTo(EPS * Math.sign(wk), 6));
    const fooled = margins.map((_, i) => decision(w, b, perturbed(gatherImage(images, i), result.perturbation.data).data) > 0);
    expect(fooled).toEqual(margins.map((m) => m < gain));
  });
});

describe('black-box transfer', () => {
  it('transfers fully to an identical model and not at all to one that reads the feature the other way', async () => {
    const { model, w, b } = binaryModel();
    const surrogate = (await linearClassifier(model)).classifier;
    const same = (await linearClassifier(model)).classifier;
    // A target whose decision direction u is orthogonal to sign(w): FGSM's step eps·sign(w) cannot move it.
    const s = w.map((v) => Math.sign(v));
    const u = w.map((_, k) => Math.cos(k));
    const along = u.reduce((a, v, k) => a + v * s[k], 0) / s.reduce((a, v) => a + v * v, 0);
    const orthogonal: LinearModel = { ...model, weights: [new Float64Array(SIZE), u.map((v, k) => v - along * s[k])], bias: [0, 0.01] };
    const opposite = (await linearClassifier(orthogonal)).classifier;
    const x0 = imagesWithMargins(w, b, [0.5, 0.8, 1.0, 5.0]);
    const craft = (input: Parameters<typeof fgsm>[0]): ReturnType<typeof fgsm> => fgsm(input, { eps: EPS });
    const toSame = await transferAttack({ surrogate, target: same, x0, craft });
    expect(toSame.surrogateSuccess).toEqual([true, true, true, false]);
    expect(toSame.targetSuccess).toEqual(toSame.surrogateSuccess);
    const toOpposite = await transferAttack({ surrogate, target: opposite, x0, craft });
    expect(toOpposite.targetSuccess).toEqual([false, false, false, false]);
  });
});

describe('Square attack (score-based)', () => {
  it('fools a linear model within the L-inf ball when eps·|w|_1 exceeds the margin, and counts every query', async () => {
    const { model, w, b } = binaryModel();
    const { classifier, oracles } = await linearClassifier(model);
    const gain = EPS * norm(w, 'l1');
    const x0 = imagesWithMargins(w, b, [0.3 * gain, 0.6 * gain]);
    const out = await squareAttack({ classifier, x0, labels: [0, 0] }, { eps: EPS, maxQueries: 2000, pInit: 0.1, seed: 1 });
    for (let i = 0; i < 2; i++) {
      expect(norm(sampleDelta(out.adversarial, x0, i), 'linf')).toBeLessThanOrEqual(EPS + 1e-7);
      expect(decision(w, b, out.adversarial.data.subarray(i * SIZE, (i + 1) * SIZE))).toBeGreaterThan(0);
    }
    expect(out.queries.every((q) => q > 1 && q < 2000)).toBe(true);
    expect(out.queries.reduce((a, q) => a + q, 0)).toBe(evaluations(oracles));
  });

  it('spends the whole budget and fails when even the best vertex cannot cross the boundary', async () => {
    const { model, w, b } = binaryModel();
    const { classifier } = await linearClassifier(model);
    const x0 = imagesWithMargins(w, b, [1.2 * EPS * norm(w, 'l1')]);
    const out = await squareAttack({ classifier, x0, labels: [0] }, { eps: EPS, maxQueries: 300, pInit: 0.1, seed: 1 });
    expect(decision(w, b, out.adversarial.data)).toBeLessThan(0);
    expect(out.queries).toEqual([300]);
  });
});

describe('HopSkipJump (decision-based)', () => {
  it('starts from a misclassified image of the pool when noise never is', async () => {
    const { w, b } = binaryModel();
    // Class 1 only on w's side of the plane *and* near the data: uniform noise is always class 0.
    const centre = 0.5;
    const classify = (x: Float32Array): number => (decision(w, b, x) > 0 && Math.hypot(...Array.from(x, (v) => v - centre)) < 3 ? 1 : 0);
    const classifier = {
      width: W,
      height: H,
      classes: 2,
      labelOf: (i: number) => String(i),
      async logits(pixels: FloatTensor) {
        const n = pixels.dims[0];
        return floatTensor([n, 2], Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === classify(pixels.data.subarray(Math.floor(k / 2) * SIZE, (Math.floor(k / 2) + 1) * SIZE)) ? 1 : 0)));
      },
      gradient: () => Promise.reject(new Error('decision-based attacks never ask for gradients')),
      dispose: async () => {},
    };
    const x0 = imagesWithMargins(w, b, [1.0]);
    const noiseOnly = await hopSkipJump({ classifier, x0, labels: [0] }, { maxQueries: 500, initEvals: 50, maxEvals: 500, gamma: 1, seed: 2 });
    expect(noiseOnly.extras!.l2[0]).toBeNaN();
    const pool = imagesWithMargins(w, b, [-1.5, 2.0, 3.0], 9);
    const out = await hopSkipJump({ classifier, x0, labels: [0], pool }, { maxQueries: 3000, initEvals: 100, maxEvals: 1000, gamma: 1, seed: 2 });
    expect(classify(out.adversarial.data)).toBe(1);
    expect(out.extras!.l2[0]).toBeLessThan(1.5 / norm(w, 'l2'));
  });

  it('approaches the minimal L2 distance |f|/|w| of a linear model from labels alone, within its query budget', async () => {
    const { model, w, b } = binaryModel();
    const { classifier, oracles } = await linearClassifier(model);
    const margins = [1.0, 3.0];
    const x0 = imagesWithMargins(w, b, margins);
    const out = await hopSkipJump({ classifier, x0, labels: [0, 0] }, { maxQueries: 8000, initEvals: 100, maxEvals: 1000, gamma: 1, seed: 2 });
    margins.forEach((m, i) => {
      const optimum = m / norm(w, 'l2');
      expect(decision(w, b, out.adversarial.data.subarray(i * SIZE, (i + 1) * SIZE))).toBeGreaterThan(0);
      expect(out.extras!.l2[i]).toBeGreaterThanOrEqual(optimum * 0.999);
      expect(out.extras!.l2[i]).toBeLessThan(optimum * 1.2);
      expect(out.queries[i]).toBeLessThanOrEqual(8000);
    });
    expect(out.queries.reduce((a, q) => a + q, 0)).toBe(evaluations(oracles));
  });
});

function gatherImage(images: ReturnType<typeof imagesWithMargins>, i: number): ReturnType<typeof imagesWithMargins> {
  return gatherSamples(images, [i]);
}
