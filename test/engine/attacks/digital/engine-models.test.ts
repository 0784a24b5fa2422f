import { describe, expect, it } from 'vitest';
import { argmaxRows } from '../../../../src/engine/classifier/batch';
import { CrossEntropyLoss, LinearLoss, MarginLoss, type LogitLoss } from '../../../../src/engine/classifier/losses';
import { deepFool } from '../../../../src/engine/attacks/digital/deepfool';
import { fgsm } from '../../../../src/engine/attacks/digital/fgsm';
import { gradientClassifierForModel } from '../../../../src/engine/classifier/model-classifier';
import { pgd } from '../../../../src/engine/attacks/digital/pgd';
import { modelInput } from '../../../../src/engine/attacks/digital/realise';
import { runImages } from '../../../../src/engine/attacks/digital/run-images';
import { buildAttack, DEFAULT_SETTINGS } from '../../../../src/engine/attacks/digital/catalog';
import { join } from 'node:path';
import { decodeImage, writeImage } from '../../../../src/engine/image/image';
import { resizeImage } from '../../../../src/engine/image/resize';
import { loadModel } from '../../../../src/engine/models/loaded';
import { floatTensor, type FloatTensor } from '../../../../src/engine/tensor/tensor';
import { imageFixture, modelFixture, tempDir } from '../../../helpers/paths';

const EPS = 8 / 255;

async function tinynet() {
  const model = await loadModel(modelFixture('tinynet.onnx'), { labels: Array.from({ length: 10 }, (_, i) => `c${i}`) });
  return { model, classifier: await gradientClassifierForModel(model) };
}

async function dogs(model: { width: number; height: number; resizeMode: 'stretch' | 'letterbox' }): Promise<FloatTensor> {
  const a = await modelInput(await decodeImage(imageFixture('dog.jpg')), model);
  const b = await modelInput(await decodeImage(imageFixture('kite.jpg')), model);
  return floatTensor([2, ...a.dims.slice(1)], Float32Array.from([...a.data, ...b.data]));
}

describe('attacks on the fixture ONNX models through the autodiff engine', () => {
  it('every loss route of the classifier matches finite differences of the loss on the logits', async () => {
    const { classifier } = await tinynet();
    const x = await dogs({ width: 224, height: 224, resizeMode: 'stretch' });
    const losses: LogitLoss[] = [new CrossEntropyLoss([3, 7]), new CrossEntropyLoss([1, 2], true), new MarginLoss([0, 5], 100), new LinearLoss(Float32Array.from({ length: 20 }, (_, i) => (i % 3) - 1), 10)];
    for (const loss of losses) {
      const r = await classifier.gradient(x, loss);
      // Along the gradient direction: d/dt L(x + t g/|g|) = |g| at t = 0.
      const norm = Math.sqrt(r.grad.data.reduce((a, v) => a + v * v, 0));
      const h = 1e-2;
      const step = (t: number): FloatTensor => floatTensor(x.dims, x.data.map((v, i) => v + (t * r.grad.data[i]) / norm));
      const value = async (t: number): Promise<number> => loss.evaluate((await classifier.logits(step(t))).data, 10).loss.reduce((a, b) => a + b, 0);
      const slope = ((await value(h)) - (await value(-h))) / (2 * h);
      expect(slope / norm).toBeGreaterThan(0.97);
      expect(slope / norm).toBeLessThan(1.03);
    }
  });

  it('FGSM and PGD raise the cross-entropy inside the L-inf ball; DeepFool flips the label', async () => {
    const { classifier } = await tinynet();
    const x0 = await dogs({ width: 224, height: 224, resizeMode: 'stretch' });
    const labels = argmaxRows((await classifier.logits(x0)).data, 10);
    const ce = new CrossEntropyLoss(labels);
    const before = ce.evaluate((await classifier.logits(x0)).data, 10).loss;
    for (const out of [await fgsm({ classifier, x0, labels }, { eps: EPS }), await pgd({ classifier, x0, labels }, { eps: EPS, norm: 'linf', steps: 5, randomStart: true })]) {
      const after = ce.evaluate((await classifier.logits(out.adversarial)).data, 10).loss;
      after.forEach((v, i) => expect(v).toBeGreaterThan(before[i]));
      const linf = out.adversarial.data.reduce((m, v, i) => Math.max(m, Math.abs(v - x0.data[i])), 0);
      expect(linf).toBeLessThanOrEqual(EPS + 1e-6);
    }
    const df = await deepFool({ classifier, x0, labels }, { overshoot: 0.02, maxIter: 50, candidates: 10 });
    const flipped = argmaxRows((await classifier.logits(df.adversarial)).data, 10);
    flipped.forEach((c, i) => expect(c).not.toBe(labels[i]));
  });

  it('PGD end to end on image files of the model size (batched, no resize): the written PNGs fool predict', async () => {
    const { model, classifier } = await tinynet();
    const dir = tempDir();
    const images: string[] = [];
    for (const name of ['dog.jpg', 'kite.jpg']) {
      const { image } = await resizeImage(await decodeImage(imageFixture(name)), 224, 224);
      images.push(join(dir, name.replace('.jpg', '.png')));
      await writeImage(images.at(-1)!, image);
    }
    // tinynet has random weights and nearly flat outputs: it takes 16/255 to flip both images.
    const { results, summary } = await runImages({ model, classifier, attack: buildAttack('pgd', { ...SETTINGS, eps: 2 * EPS }), images, out: tempDir(), batch: 8, judgeDraws: 1 });
    expect(summary.successRate).toBe(1);
    for (const r of results) expect(r.norms!.linf).toBeLessThanOrEqual(2 * EPS + 1e-9);
  });
});

describe.skipIf(!process.env.PATCHLAB_CI)('attacks on the emotion and antispoof built-ins (face crops; CI only)', () => {
  const faces = ['group1-face.jpg', 'group3-face.jpg', 'group5-face.jpg', 'group6-face.jpg'].map((f) => imageFixture(`faces/${f}`));
  for (const name of ['emotion', 'antispoof']) {
    it(`${name}: PGD L-inf 8/255 fools predict on every face; the written PNGs stay within 8/255`, async () => {
      const model = await loadModel(name);
      const classifier = await gradientClassifierForModel(model);
      const { results, summary } = await runImages({ model, classifier, attack: buildAttack('pgd', SETTINGS), images: faces, out: tempDir(), batch: 8, judgeDraws: 1 });
      expect(summary.successRate).toBe(1);
      for (const r of results) expect(r.norms!.linf).toBeLessThanOrEqual(EPS + 1e-9);
    });
  }
});

const SETTINGS = DEFAULT_SETTINGS;
