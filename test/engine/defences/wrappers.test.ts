import { describe, expect, it } from 'vitest';
import { softmaxRows } from '../../../src/engine/classifier/batch';
import type { ClassifierOracle } from '../../../src/engine/classifier/classifier';
import { CrossEntropyLoss } from '../../../src/engine/classifier/losses';
import { buildDefences } from '../../../src/engine/defences/build';
import { ConsistencyDetector } from '../../../src/engine/defences/consistency';
import { EnsembleClassifier } from '../../../src/engine/defences/ensemble';
import { EotClassifier } from '../../../src/engine/defences/eot';
import { MedianSmoothing } from '../../../src/engine/defences/median';
import { defendOracle } from '../../../src/engine/defences/oracle';
import { parseDefences } from '../../../src/engine/defences/parse';
import { RandomResizePad } from '../../../src/engine/defences/random-resize';
import { TransformedClassifier } from '../../../src/engine/defences/transformed-classifier';
import { floatTensor, type FloatTensor } from '../../../src/engine/tensor/tensor';
import { LinearOracle, linearClassifier, randomLinear, testImages } from '../../helpers/linear-oracle';

async function fdCheck(make: () => ClassifierOracle, x: FloatTensor, labels: number[], coords: number[]): Promise<void> {
  const loss = new CrossEntropyLoss(labels);
  const r = await make().gradient(x, loss);
  const h = 1e-3;
  for (const k of coords) {
    const plus = floatTensor(x.dims, Float32Array.from(x.data));
    const minus = floatTensor(x.dims, Float32Array.from(x.data));
    plus.data[k] += h;
    minus.data[k] -= h;
    const c = r.logits.dims[1];
    const lp = loss.evaluate((await make().logits(plus)).data, c).loss.reduce((a, b) => a + b);
    const lm = loss.evaluate((await make().logits(minus)).data, c).loss.reduce((a, b) => a + b);
    expect(r.grad.data[k]).toBeCloseTo((lp - lm) / (2 * h), 2);
  }
}

describe('defended classifiers', () => {
  it('a classifier behind random resize + median has the exact gradient of that draw', async () => {
    const { classifier } = await linearClassifier(randomLinear(10, 10, 3, 4));
    const make = (): ClassifierOracle => new TransformedClassifier(classifier, [new RandomResizePad({ minScale: 0.7, pad: 0 }), new MedianSmoothing(3)], { seed: 4 });
    await fdCheck(make, testImages(2, 10, 10), [0, 2], [0, 33, 150, 299, 555]);
  });

  it('EOT averages loss and gradient over draws; with a deterministic transform it equals the plain gradient', async () => {
    const { classifier } = await linearClassifier(randomLinear(8, 8, 3, 4));
    const x = testImages(2, 8, 8);
    const loss = new CrossEntropyLoss([1, 2]);
    const plain = await new TransformedClassifier(classifier, [new MedianSmoothing(3)]).gradient(x, loss);
    const eot = await new EotClassifier(new TransformedClassifier(classifier, [new MedianSmoothing(3)]), 5).gradient(x, loss);
    eot.grad.data.forEach((v, i) => expect(v).toBeCloseTo(plain.grad.data[i], 5));
    // Random: the mean of the same draws taken one by one (a twin wrapper with the same seed).
    const random = (): TransformedClassifier => new TransformedClassifier(classifier, [new RandomResizePad({ minScale: 0.6, pad: 0 })], { seed: 7 });
    const averaged = await new EotClassifier(random(), 4, 2).gradient(x, loss);
    const twin = random();
    const expected = new Float64Array(x.data.length);
    for (let d = 0; d < 4; d++) {
      // maxBatch 2 = one draw of both samples per inner call, in order.
      const r = await twin.gradient(x, loss);
      r.grad.data.forEach((v, i) => (expected[i] += v / 4));
    }
    averaged.grad.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    const single = await random().gradient(x, loss);
    expect(Array.from(single.grad.data)).not.toEqual(Array.from(averaged.grad.data));
  });

  it('soft-vote ensemble: mean probabilities, exact gradient, members of another input size resized', async () => {
    const a = (await linearClassifier(randomLinear(8, 8, 3, 1))).classifier;
    const b = (await linearClassifier(randomLinear(6, 5, 3, 2))).classifier;
    const x = testImages(2, 8, 8);
    const ensemble = new EnsembleClassifier([a, b], 'soft');
    const logits = await ensemble.logits(x);
    const pa = softmaxRows((await a.logits(x)).data, 3);
    const probs = softmaxRows(logits.data, 3);
    // Member b on its own resized input: check the mean only through a's known share.
    const pb = probs.map((p, i) => 2 * p - pa[i]);
    expect(pb.every((v) => v > 0 && v < 1)).toBe(true);
    await fdCheck(() => new EnsembleClassifier([a, b], 'soft'), x, [0, 1], [0, 17, 64, 100, 191]);
  });

  it('majority vote counts top-1 votes and breaks ties by mean probability', async () => {
    const make = (bias: number[]): Promise<ClassifierOracle> =>
      linearClassifier({ width: 2, height: 2, weights: [0, 1, 2].map(() => new Float64Array(12)), bias }).then((r) => r.classifier);
    // Votes: class 0, class 0, class 2 (confident); soft vote would pick 2, majority picks 0.
    const members = [await make([1, 0, 0.9]), await make([1, 0, 0.9]), await make([0, 0, 9])];
    const x = testImages(1, 2, 2);
    const hard = await new EnsembleClassifier(members, 'majority').logits(x);
    const soft = await new EnsembleClassifier(members, 'soft').logits(x);
    expect(Array.from(hard.data).indexOf(Math.max(...hard.data))).toBe(0);
    expect(Array.from(soft.data).indexOf(Math.max(...soft.data))).toBe(2);
  });

  it('the consistency detector scores 0 for a deterministic model and flags inputs above the clean quantile', async () => {
    const { classifier } = await linearClassifier(randomLinear(8, 8, 3, 3));
    const x = testImages(6, 8, 8);
    for (const s of await new ConsistencyDetector(classifier, 5).scores(x)) expect(s).toBeLessThan(1e-12);
    const detector = new ConsistencyDetector(new TransformedClassifier(classifier, [new RandomResizePad({ minScale: 0.5, pad: 0 })], { seed: 2 }), 8);
    const threshold = await detector.calibrate(x, 0.2);
    const scores = Array.from(await detector.scores(x));
    expect(scores.every((s) => s >= 0)).toBe(true);
    expect(threshold).toBeGreaterThan(0);
    expect((await detector.flags(x)).filter(Boolean).length).toBeLessThanOrEqual(3);
  });

  it('buildDefences wires transforms, EOT and an ensemble, and describes them', async () => {
    const { classifier } = await linearClassifier(randomLinear(8, 8, 3, 3));
    const other = (await linearClassifier(randomLinear(8, 8, 3, 9))).classifier;
    const setup = await buildDefences(classifier, parseDefences('ensemble=other:majority,random-resize=0.8,bit-depth=5,consistency=4'), {
      eot: 3,
      loadClassifier: async () => other,
    });
    expect(setup.description).toBe('ensemble(majority: +other) -> random-resize(0.8) -> bit-depth(5) -> consistency(4 passes), attacked with EOT over 3 draws');
    expect(setup.randomised).toBe(true);
    expect(setup.attacked).toBeInstanceOf(EotClassifier);
    expect(setup.detector).toBeDefined();
    expect((await setup.deployed.logits(testImages(2, 8, 8))).dims).toEqual([2, 3]);
    const oblivious = await buildDefences(classifier, parseDefences('random-resize'), { oblivious: true });
    expect(oblivious.attacked).toBe(classifier);
    expect(oblivious.deployed).toBeInstanceOf(TransformedClassifier);
    expect(oblivious.description).toBe('random-resize(0.9), attacked without it (oblivious)');
  });
});

describe('parseDefences', () => {
  it('reads names, values and defaults in order', () => {
    expect(parseDefences('random-resize,jpeg=75')).toEqual([
      { kind: 'random-resize', minScale: 0.9 },
      { kind: 'jpeg', quality: 75 },
    ]);
    expect(parseDefences(' bit-depth=5 , median=2,consistency ')).toEqual([
      { kind: 'bit-depth', bits: 5 },
      { kind: 'median', size: 2 },
      { kind: 'consistency', passes: 10, falsePositiveRate: 0.05 },
    ]);
    expect(parseDefences('ensemble=a.onnx+models/b.onnx:majority')).toEqual([{ kind: 'ensemble', models: ['a.onnx', 'models/b.onnx'], vote: 'majority' }]);
    expect(parseDefences('ensemble=tinynet')).toEqual([{ kind: 'ensemble', models: ['tinynet'], vote: 'soft' }]);
  });

  it('names the flag and the bad item', () => {
    expect(() => parseDefences('jpg=75')).toThrow("--defence: unknown defence 'jpg' (known: random-resize, jpeg, bit-depth, median, ensemble, consistency)");
    expect(() => parseDefences('jpeg=0')).toThrow("--defence: 'jpeg=0': JPEG quality must be a whole number from 1 to 100");
    expect(() => parseDefences('random-resize=1.5')).toThrow(/'random-resize=1.5': the smallest scale/);
    expect(() => parseDefences('ensemble=a:hard')).toThrow(/the vote must be soft or majority, not 'hard'/);
    expect(() => parseDefences('ensemble')).toThrow(/name the other models/);
    expect(() => parseDefences(',')).toThrow(/no defence given/);
    expect(() => parseDefences('consistency,consistency=3')).toThrow(/'consistency' may appear only once/);
  });
});

describe('defendOracle (any loss, for physical attacks and eval)', () => {
  it('tiles per-sample arguments over EOT draws and returns mean loss, gradient and outputs', async () => {
    const model = randomLinear(8, 8, 3, 5);
    const inner = new LinearOracle(model, { kind: 'logit' });
    const x = testImages(2, 8, 8);
    const oracle = defendOracle(inner, parseDefences('median=3'), { eot: 4 });
    const r = await oracle.gradient(x, { labels: [2, 0] });
    expect(inner.gradients).toBe(8);
    const plain = await defendOracle(new LinearOracle(model, { kind: 'logit' }), parseDefences('median=3')).gradient(x, { labels: [2, 0] });
    r.grad.data.forEach((v, i) => expect(v).toBeCloseTo(plain.grad.data[i], 5));
    expect(Array.from(r.loss).map((v) => v.toFixed(4))).toEqual(Array.from(plain.loss).map((v) => v.toFixed(4)));
    expect(r.outputs.scores.dims).toEqual([2, 3]);
    expect(() => defendOracle(inner, parseDefences('ensemble=x'))).toThrow(/classifiers only/);
  });
});
