import { describe, expect, it } from 'vitest';
import type { ClassifierGradient, ClassifierOracle } from '../../../src/engine/classifier/classifier';
import { attackChunk, ReplicatedGrey } from '../../../src/engine/evaluate/robust-attacks';
import { evaluationData } from '../../../src/engine/evaluate/robust';
import { trainingData } from '../../../src/engine/train/trainer';
import { parseTrainConfig } from '../../../src/engine/train/config';
import { floatTensor, type FloatTensor } from '../../../src/engine/tensor/tensor';
import { replicate } from '../../../src/engine/train/teacher';
import { ROBUST_DEFAULTS } from '../../../src/shared/training';
import { makeImageFolder } from '../../fixtures/train/folder';

const S = 4;
const GREY = [0.299, 0.587, 0.114];

/** Two classes on a 4x4 RGB image: z1 - z0 = w . grey(x), a model whose decision depends only on grey. */
class LinearGrey implements ClassifierOracle {
  readonly width = S;
  readonly height = S;
  readonly classes = 2;
  calls = 0;
  constructor(readonly w: number[]) {}
  labelOf(i: number): string {
    return String(i);
  }
  async logits(pixels: FloatTensor): Promise<FloatTensor> {
    this.calls++;
    const n = pixels.dims[0];
    const out = new Float32Array(n * 2);
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let c = 0; c < 3; c++) for (let k = 0; k < S * S; k++) s += this.w[k] * GREY[c] * pixels.data[(b * 3 + c) * S * S + k];
      out[b * 2 + 1] = s;
    }
    return floatTensor([n, 2], out);
  }
  async gradient(): Promise<ClassifierGradient> {
    throw new Error('black-box only');
  }
  async dispose(): Promise<void> {}
}

describe('eval-robust data and Square on grey images', () => {
  it('--split val reads back exactly the images a training run with the same seed held out', async () => {
    const folder = await makeImageFolder(10);
    const held = await trainingData(parseTrainConfig({ arch: 'cnn', data: folder, seed: 3 }));
    const { dataset, split } = await evaluationData(folder, 'val', 3);
    expect(split).toMatch(/val split \(seed 3/);
    expect(dataset.count).toBe(held.val.length);
    const px = 28 * 28;
    held.val.forEach((k, i) => {
      expect(dataset.labels[i]).toBe(held.data.labels[k]);
      expect(dataset.images.subarray(i * px, (i + 1) * px)).toEqual(held.data.images.subarray(k * px, (k + 1) * px));
    });
    // Another seed holds out other images.
    const other = await evaluationData(folder, 'val', 4);
    expect(other.dataset.images).not.toEqual(dataset.images);
  });

  it('ReplicatedGrey feeds the grey image to all three channels and sums their gradients', async () => {
    const inner: ClassifierOracle = {
      width: S,
      height: S,
      classes: 2,
      labelOf: String,
      logits: async (x) => floatTensor([x.dims[0], 2], new Float32Array(x.dims[0] * 2).fill(x.dims[1])),
      gradient: async (x) => ({ loss: new Float32Array(x.dims[0]), logits: floatTensor([x.dims[0], 2]), grad: floatTensor(x.dims, Float32Array.from(x.data, (_, i) => Math.floor(i / (S * S)) % 3)) }),
      dispose: async () => {},
    };
    const grey = new ReplicatedGrey(inner);
    const x = floatTensor([2, 1, S, S], new Float32Array(2 * S * S).fill(0.5));
    // The inner model saw 3 channels.
    expect((await grey.logits(x)).data[0]).toBe(3);
    const g = await grey.gradient(x, undefined as never);
    expect(g.grad.dims).toEqual([2, 1, S, S]);
    expect([...g.grad.data].every((v) => v === 0 + 1 + 2)).toBe(true);
  });

  it('shared-channel Square keeps the image grey, within eps, and moves the grey pixels by the full eps', async () => {
    const w = Array.from({ length: S * S }, (_, k) => (k % 2 === 0 ? 1 : -1));
    const model = new LinearGrey(w);
    const x0 = replicate(floatTensor([1, 1, S, S], new Float32Array(S * S).fill(0.5)));
    const eps = 0.1;
    // Clean margin: class 0 wins by 0.95 of the largest grey change eps * sum|w| = 1.6 can undo.
    const bias = 0.95 * eps * w.length;
    const biased: ClassifierOracle = { ...model, labelOf: String, width: S, height: S, classes: 2, logits: async (p) => { const z = await model.logits(p); for (let b = 0; b < p.dims[0]; b++) z.data[b * 2] += bias; return z; }, gradient: model.gradient, dispose: model.dispose };
    const settings = { ...ROBUST_DEFAULTS, eps, squareQueries: 100, squarePInit: 0.3 };
    const [adv] = await attackChunk('square', biased, x0, [0], { ...settings, squareChannels: 'shared' });
    for (let k = 0; k < S * S; k++) {
      const r = adv.data[k];
      expect(adv.data[S * S + k]).toBe(r);
      expect(adv.data[2 * S * S + k]).toBe(r);
      expect(Math.abs(r - 0.5)).toBeLessThanOrEqual(eps + 1e-6);
    }
    const z = (await biased.logits(adv)).data;
    expect(z[1]).toBeGreaterThan(z[0]);
    // Per-channel colours (the paper's RGB draw) mostly cancel in grey: the same budget does not get there.
    const [rgb] = await attackChunk('square', biased, x0, [0], { ...settings, squareChannels: 'independent' });
    const zr = (await biased.logits(rgb)).data;
    expect(zr[1]).toBeLessThan(zr[0]);
  });
});
