import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deepFool } from '../../../../src/engine/attacks/digital/deepfool';
import { jsma } from '../../../../src/engine/attacks/digital/jsma';
import { classifierForModel } from '../../../../src/engine/classifier/model-classifier';
import { pgd } from '../../../../src/engine/attacks/digital/pgd';
import { PipelineOperator } from '../../../../src/engine/attacks/digital/pipeline-operator';
import { modelInput, realise } from '../../../../src/engine/attacks/digital/realise';
import { predictOne, runImages } from '../../../../src/engine/attacks/digital/run-images';
import { buildDefences } from '../../../../src/engine/defences/build';
import { parseDefences } from '../../../../src/engine/defences/parse';
import { decodeImage } from '../../../../src/engine/image/image';
import { loadModel } from '../../../../src/engine/models/loaded';
import { predictFiles } from '../../../../src/engine/models/predict';
import { linearClassifier, randomLinear, type LinearModel } from '../../../helpers/linear-oracle';
import { writeLinearOnnx } from '../../../helpers/linear-onnx';
import { imageFixture, tempDir } from '../../../helpers/paths';

const EPS = 8 / 255;
const IMAGES = ['dog.jpg', 'kite.jpg'].map(imageFixture);

/** A 16x12 linear classifier as ONNX (for predict) and as a TS oracle (for gradients), same weights. */
async function setup(emits: LinearModel['emits'] = 'logits', classes = 4) {
  const linear = randomLinear(16, 12, classes, 21, emits);
  const dir = tempDir();
  const model = await loadModel(writeLinearOnnx(linear, dir));
  const { classifier } = await linearClassifier(linear);
  return { linear, model, classifier, out: tempDir('patchlab-out-') };
}

describe('runImages: attack image files, write 8-bit PNGs at their resolution, verify with predict', () => {
  it('the forward-only oracle of the ONNX model agrees with the TS oracle of the same weights', async () => {
    const { model, classifier } = await setup();
    const onnx = await classifierForModel(model);
    const x = await modelInput(await decodeImage(IMAGES[0]), model);
    const a = await onnx.logits(x);
    const b = await classifier.logits(x);
    a.data.forEach((v, i) => expect(v).toBeCloseTo(b.data[i], 4));
    await expect(onnx.gradient(x, (await import('../../../../src/engine/classifier/losses')).CrossEntropyLoss.prototype.select.call({ labels: [0], targeted: false }, [0]))).rejects.toThrow(/needs input gradients/);
  });

  it('PGD: every written PNG keeps the input size, stays within 8/255 and fools predict', async () => {
    const { model, classifier, out } = await setup();
    const { results, summary } = await runImages({
      model,
      classifier,
      attack: { name: 'pgd', run: (input) => pgd(input, { eps: EPS, norm: 'linf', steps: 10, randomStart: true }), linfBudget: EPS, minimumNorm: false, upsample: 'bilinear' },
      images: IMAGES,
      out,
      batch: 8,
      judgeDraws: 1,
    });
    expect(summary.successRate).toBe(1);
    for (const r of results) {
      const written = await decodeImage(r.adversarialImage!);
      const original = await decodeImage(r.image);
      expect([written.width, written.height]).toEqual([original.width, original.height]);
      expect(r.norms!.linf).toBeLessThanOrEqual(EPS + 1e-9);
      // Success is what predict says about the file on disk.
      const [again] = await predictFiles(model, [r.adversarialImage!], { top: 1 });
      expect(again.top![0].index).toBe(r.adversarial!.index);
      expect(again.top![0].index).not.toBe(r.original.index);
      expect(existsSync(r.perturbationImage!)).toBe(true);
      expect(existsSync(r.panelImage!)).toBe(true);
      expect(r.queries).toBe(11 + 1);
    }
    const saved = JSON.parse(readFileSync(`${out}/results.json`, 'utf8'));
    expect(saved.summary.successRate).toBe(1);
    expect(saved.results).toHaveLength(2);
  });

  it('DeepFool: a boundary point is scaled up just enough to survive 8-bit rounding', async () => {
    const { model, classifier, out } = await setup();
    const { results } = await runImages({
      model,
      classifier,
      attack: { name: 'deepfool', run: (input) => deepFool(input, { overshoot: 0.02, maxIter: 50, candidates: 10 }), minimumNorm: true, upsample: 'bilinear' },
      images: IMAGES,
      out,
      batch: 8,
      judgeDraws: 1,
    });
    for (const r of results) {
      expect(r.success).toBe(true);
      expect(r.scale).toBeGreaterThanOrEqual(1);
      // What the model sees is close to DeepFool's own minimal perturbation, times the scale used.
      expect(r.modelNorms!.l2).toBeGreaterThan(0.5 * r.extras!.l2);
      expect(r.modelNorms!.l2).toBeLessThan(2 * r.scale! * r.extras!.l2 + 0.05);
    }
  });

  it('JSMA keeps its pixel budget at full resolution (block upsampling keeps L0)', async () => {
    const { model, classifier, out } = await setup('logits', 2);
    const { results } = await runImages({
      model,
      classifier,
      attack: { name: 'jsma', run: (input) => jsma(input, { theta: 1, maxFraction: 0.1, candidates: 64 }), minimumNorm: false, upsample: 'nearest' },
      images: IMAGES,
      out,
      batch: 8,
      judgeDraws: 1,
    });
    for (const r of results) {
      const modelPixels = r.modelNorms!.l0;
      expect(r.norms!.l0).toBeLessThanOrEqual(0.1 * 1.6);
      if (r.success) expect(modelPixels).toBeGreaterThan(0);
    }
  });

  it('the measured resize round trip predicts what predict sees of an upsampled perturbation, to rounding', async () => {
    const { model } = await setup();
    const original = await decodeImage(IMAGES[0]);
    const clean = (await modelInput(original, model)).data;
    const adversarial = clean.map((v, i) => Math.min(1, Math.max(0, v + (i % 3 ? EPS : -EPS))));
    for (const upsample of ['bilinear', 'nearest'] as const) {
      const operator = await PipelineOperator.measure(original.width, original.height, model, upsample);
      const r = await realise(original, model, clean, adversarial, { maxLevels: 8, upsample, scales: [1], judge: async () => true });
      const predicted = operator.apply(adversarial.map((v, i) => v - clean[i]));
      let error = 0;
      let plain = 0;
      r.modelInput.data.forEach((v, i) => {
        error += Math.abs(v - clean[i] - predicted[i]) / clean.length;
        plain += Math.abs(v - adversarial[i]) / clean.length;
      });
      // On average within a level of the prediction (8-bit rounding, twice; clipping at 0 and 255),
      // while the crafted input itself is several levels off: the round trip damps it.
      expect(error).toBeLessThan(0.75 / 255);
      expect(plain).toBeGreaterThan(3 * error);
      // The adjoint is the transpose.
      const x = Float32Array.from({ length: clean.length }, (_, i) => Math.sin(i));
      const y = Float32Array.from({ length: clean.length }, (_, i) => Math.cos(3 * i));
      const ax = operator.apply(x);
      const aty = operator.adjoint(y);
      expect(ax.reduce((a, v, i) => a + v * y[i], 0)).toBeCloseTo(x.reduce((a, v, i) => a + v * aty[i], 0), 3);
    }
  });

  it('a single-score model reads as two classes and can be attacked end to end', async () => {
    const { model, classifier, out } = await setup('sigmoid1', 1);
    const [clean] = await predictOne(model, [IMAGES[0]]);
    expect(['0', '1']).toContain(clean.label);
    expect(clean.prob).toBeGreaterThanOrEqual(0.5);
    const { summary } = await runImages({
      model,
      classifier,
      // This model's margin on the dog is large: 8/255 through the resize round trip does not flip it, 24/255 does.
      attack: { name: 'pgd', run: (input) => pgd(input, { eps: 3 * EPS, norm: 'linf', steps: 10, randomStart: false }), linfBudget: 3 * EPS, minimumNorm: false, upsample: 'bilinear' },
      images: [IMAGES[0]],
      out,
      batch: 1,
      judgeDraws: 1,
    });
    expect(summary.successRate).toBe(1);
  });

  it('under a defence reports clean accuracy, defended and undefended success over draws', async () => {
    const { model, classifier, out } = await setup();
    const defences = await buildDefences(classifier, parseDefences('random-resize,bit-depth=6'), { eot: 4 });
    const { results, summary } = await runImages({
      model,
      classifier,
      defences,
      attack: { name: 'pgd', run: (input) => pgd(input, { eps: EPS, norm: 'linf', steps: 10, randomStart: false }), linfBudget: EPS, minimumNorm: false, upsample: 'bilinear' },
      images: IMAGES,
      out,
      batch: 8,
      judgeDraws: 8,
    });
    expect(summary.defence).toContain('random-resize(0.9) -> bit-depth(6), attacked with EOT over 4 draws');
    for (const r of results) {
      expect(r.defended!.cleanAccuracy).toBeGreaterThanOrEqual(0);
      expect(r.defended!.success).toBeGreaterThanOrEqual(0);
      expect(r.defended!.success).toBeLessThanOrEqual(1);
    }
    expect(summary.defended!.undefendedSuccessRate).toBeGreaterThanOrEqual(0);
  });
});
