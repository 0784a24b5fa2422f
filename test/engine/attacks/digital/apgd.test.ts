import { describe, expect, it } from 'vitest';
import { apgd, apgdCheckpoints } from '../../../../src/engine/attacks/digital/apgd';
import { argmaxRows, sampleNorms } from '../../../../src/engine/classifier/batch';
import { DlrLoss } from '../../../../src/engine/classifier/losses';
import { gradientClassifierForModel } from '../../../../src/engine/classifier/model-classifier';
import { pgd } from '../../../../src/engine/attacks/digital/pgd';
import { modelInput } from '../../../../src/engine/attacks/digital/realise';
import { decodeImage } from '../../../../src/engine/image/image';
import { loadModel } from '../../../../src/engine/models/loaded';
import { floatTensor, type FloatTensor } from '../../../../src/engine/tensor/tensor';
import { imageFixture, modelFixture } from '../../../helpers/paths';

describe('DLR loss', () => {
  for (const targeted of [false, true]) {
    it(`${targeted ? 'targeted' : 'untargeted'}: value as defined and gradient equal to finite differences`, () => {
      const classes = 6;
      const logits = Float32Array.from([2.0, -1.0, 0.5, 3.0, 1.2, -0.3, 0.1, 0.9, -2.0, 0.4, 1.7, 0.0]);
      const loss = new DlrLoss([0, 1], targeted ? [4, 3] : undefined);
      const { loss: value, grad } = loss.evaluate(logits, classes);
      // Sample 0 by hand: sorted logits 3.0 (3), 2.0 (0), 1.2 (4), 0.5 (2).
      expect(value[0]).toBeCloseTo(targeted ? -(2.0 - 1.2) / (3.0 - (1.2 + 0.5) / 2) : -(2.0 - 3.0) / (3.0 - 1.2), 5);
      const h = 1e-3;
      for (let k = 0; k < logits.length; k++) {
        const up = Float32Array.from(logits);
        const down = Float32Array.from(logits);
        up[k] += h;
        down[k] -= h;
        const i = Math.floor(k / classes);
        const fd = (loss.evaluate(up, classes).loss[i] - loss.evaluate(down, classes).loss[i]) / (2 * h);
        expect(grad[k]).toBeCloseTo(fd, 2);
      }
    });
  }

  it('does not change when the logits are scaled or shifted', () => {
    const logits = Float32Array.from([2.0, -1.0, 0.5, 3.0, 1.2]);
    const scaled = logits.map((v) => 7 * v + 3);
    const loss = new DlrLoss([0]);
    expect(loss.evaluate(scaled, 5).loss[0]).toBeCloseTo(loss.evaluate(logits, 5).loss[0], 5);
  });
});

describe('APGD checkpoints', () => {
  it('are the paper\'s 0.22, 0.41, 0.57, ... of the iterations', () => {
    expect(apgdCheckpoints(100)).toEqual([22, 41, 57, 70, 80, 87, 93, 99]);
  });
});

async function tinynetFaces(): Promise<{ classifier: Awaited<ReturnType<typeof gradientClassifierForModel>>; x0: FloatTensor; labels: number[] }> {
  const model = await loadModel(modelFixture('tinynet.onnx'), { labels: Array.from({ length: 10 }, (_, i) => `c${i}`) });
  const classifier = await gradientClassifierForModel(model);
  const names = ['dog.jpg', 'eagle.jpg', 'kite.jpg', 'giraffe.jpg', 'horses.jpg', 'person.jpg'];
  const parts = await Promise.all(names.map(async (f) => (await modelInput(await decodeImage(imageFixture(f)), model)).data));
  const x0 = floatTensor([names.length, 3, 224, 224]);
  parts.forEach((p, i) => x0.data.set(p, i * p.length));
  return { classifier, x0, labels: argmaxRows((await classifier.logits(x0)).data, 10) };
}

describe('APGD on the tinynet ONNX fixture (gradients from the autodiff engine)', () => {
  it('succeeds at least as often as PGD at the same budget, stays in the eps-ball, and is deterministic', async () => {
    const { classifier, x0, labels } = await tinynetFaces();
    const eps = 8 / 255;
    const steps = 4;
    const fooled = async (adv: FloatTensor) => argmaxRows((await classifier.logits(adv)).data, 10).filter((c, i) => c !== labels[i]).length;
    const baseline = await pgd({ classifier, x0, labels }, { eps, norm: 'linf', steps, randomStart: true, seed: 0 });
    const pgdFooled = await fooled(baseline.adversarial);
    for (const loss of ['ce', 'dlr'] as const) {
      const out = await apgd({ classifier, x0, labels }, { eps, norm: 'linf', steps, loss, seed: 3 });
      expect(out.queries).toEqual(baseline.queries); // steps + 1 gradient queries each
      expect(await fooled(out.adversarial), loss).toBeGreaterThanOrEqual(pgdFooled);
      for (const d of sampleNorms(out.adversarial, 'linf', x0)) expect(d).toBeLessThanOrEqual(eps + 1e-6);
      expect(out.adversarial.data.every((v) => v >= 0 && v <= 1)).toBe(true);
      if (loss === 'ce') continue;
      const again = await apgd({ classifier, x0, labels }, { eps, norm: 'linf', steps, loss, seed: 3 });
      expect(again.adversarial.data).toEqual(out.adversarial.data);
    }
  }, 120_000);

  it('L2: stays in the L2 ball', async () => {
    const { classifier, x0, labels } = await tinynetFaces();
    const out = await apgd({ classifier, x0, labels }, { eps: 0.5, norm: 'l2', steps: 3, loss: 'ce', seed: 1 });
    for (const d of sampleNorms(out.adversarial, 'l2', x0)) expect(d).toBeLessThanOrEqual(0.5 + 1e-4);
  }, 60_000);
});
