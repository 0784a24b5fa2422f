import { afterAll, describe, expect, it } from 'vitest';
import { buildGradientGraph } from '../../../src/engine/autodiff/gradient-graph';
import { createGradientOracle } from '../../../src/engine/autodiff/gradient-oracle';
import type { LossArgs, LossSpec } from '../../../src/engine/autodiff/oracle';
import { leasedSessionCount } from '../../../src/engine/onnx/session';
import { loadModel } from '../../../src/engine/models/loaded';
import { createSession } from '../../../src/engine/onnx/session';
import { writeModel } from '../../../src/engine/onnx/write';
import { readNpy } from '../../../src/engine/tensor/npy';
import { floatTensor, int64Tensor, type FloatTensor } from '../../../src/engine/tensor/tensor';
import { fixture } from '../../helpers/paths';
import { maxAbs, maxAbsDiff } from '../../helpers/tensors';

const npy = (name: string) => readNpy(fixture('autodiff', `${name}.npy`)) as FloatTensor;
const pixels = npy('input64');
const LABELS = [3, 7];
const MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const STD: [number, number, number] = [0.229, 0.224, 0.225];

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative = 1e-4) {
  expect(maxAbs(expected)).toBeGreaterThan(0);
  expect(maxAbsDiff(actual, expected)).toBeLessThanOrEqual(relative * maxAbs(expected));
}

describe('gradient oracle: pixel space', () => {
  it('folds an NHWC, BGR, 0-255, mean/std encoding into the graph: the pixel gradient matches PyTorch', async () => {
    const model = await loadModel(fixture('autodiff', 'caffe_nhwc_bgr.onnx'), {
      layout: 'NHWC',
      channelOrder: 'BGR',
      range: [0, 255],
      mean: [103.9, 116.8, 123.7],
      std: [57.4, 57.1, 58.4],
    });
    const oracle = createGradientOracle(model, { kind: 'ce' });
    expect([oracle.width, oracle.height]).toEqual([64, 64]);
    const result = await oracle.gradient(pixels, { labels: LABELS });
    expect(result.grad.dims).toEqual([2, 3, 64, 64]);
    expectClose(result.grad.data, npy('caffe_nhwc_bgr.pixelgrad').data);
    await oracle.dispose();
  });

  it('NCHW mean/std: the pixel gradient is the raw-input gradient divided by std (chain rule)', async () => {
    const model = await loadModel(fixture('autodiff', 'resnet.onnx'), { mean: MEAN, std: STD });
    const oracle = createGradientOracle(model, { kind: 'ce' });
    const ours = await oracle.gradient(pixels, { labels: LABELS });

    const encoded = floatTensor(pixels.dims);
    const plane = 64 * 64;
    for (let i = 0; i < encoded.data.length; i++) {
      const c = Math.floor(i / plane) % 3;
      encoded.data[i] = (pixels.data[i] - MEAN[c]) / STD[c];
    }
    const raw = await buildGradientGraph(model.ir(), { batch: 2, loss: { kind: 'ce' } });
    const session = await createSession(writeModel(raw.model));
    const rawGrad = (await session.run({ [raw.input]: encoded, [raw.args.labels!]: int64Tensor([2], LABELS) }))[raw.grad].data as Float32Array;
    const expected = rawGrad.map((g, i) => g / STD[Math.floor(i / plane) % 3]);
    expectClose(ours.grad.data, expected);
    await session.release();
    await oracle.dispose();
  });

  it('forward() runs the encoded model and agrees with the outputs gradient() returns', async () => {
    const model = await loadModel(fixture('autodiff', 'caffe_nhwc_bgr.onnx'), { layout: 'NHWC', channelOrder: 'BGR', range: [0, 255] });
    const oracle = createGradientOracle(model, { kind: 'margin', kappa: 5 }, { outputs: ['logits'] });
    const forward = await oracle.forward(pixels);
    const withGrad = await oracle.gradient(pixels, { labels: LABELS });
    expect(forward.logits.dims).toEqual([2, 10]);
    expectClose(withGrad.outputs.logits.data, forward.logits.data, 1e-5);
    await oracle.dispose();
  });
});

/** Softmax of each row. */
function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function rows(t: FloatTensor): number[][] {
  const [n] = t.dims;
  const width = t.data.length / n;
  return Array.from({ length: n }, (_, i) => Array.from(t.data.subarray(i * width, (i + 1) * width)));
}

describe('gradient oracle: loss kinds (values from the outputs, gradients against the VJP of the analytic dL/d(output))', async () => {
  const classifier = await loadModel(fixture('autodiff', 'densenet.onnx'));
  const detector = await loadModel(fixture('autodiff', 'detector.onnx'));
  const logitsOracle = createGradientOracle(classifier, { kind: 'vjp', outputs: ['logits'] }, { outputs: ['logits'] });
  const heatmapOracle = createGradientOracle(detector, { kind: 'vjp', outputs: ['heatmap'] }, { outputs: ['heatmap'] });
  afterAll(async () => {
    await logitsOracle.dispose();
    await heatmapOracle.dispose();
  });

  /** Checks a loss: per-sample values and d(sum of losses)/d(pixels) == VJP with dL/d(output). */
  async function check(model: typeof classifier, spec: LossSpec, args: LossArgs, output: string, expected: (y: FloatTensor) => { loss: number[]; dy: Float32Array }) {
    const oracle = createGradientOracle(model, spec, { outputs: [output] });
    const result = await oracle.gradient(pixels, args);
    const want = expected(result.outputs[output]);
    expectClose(result.loss, want.loss, 1e-5);
    expect(result.meanLoss).toBeCloseTo((want.loss[0] + want.loss[1]) / 2, 5);
    const anchor = output === 'logits' ? logitsOracle : heatmapOracle;
    const vjp = await anchor.gradient(pixels, { outputGrads: { [output]: floatTensor(result.outputs[output].dims, want.dy) } });
    expectClose(result.grad.data, vjp.grad.data);
    await oracle.dispose();
  }

  it('vjp matches PyTorch on the detector (both outputs)', async () => {
    const oracle = createGradientOracle(detector, { kind: 'vjp', outputs: ['heatmap', 'boxes'] });
    const result = await oracle.gradient(pixels, { outputGrads: { heatmap: npy('detector.outgrad_heatmap'), boxes: npy('detector.outgrad_boxes') } });
    expectClose(result.grad.data, npy('detector.grad').data);
    await oracle.dispose();
  });

  it('ce, untargeted and targeted', async () => {
    for (const targeted of [false, true]) {
      await check(classifier, { kind: 'ce', targeted }, { labels: LABELS }, 'logits', (y) => {
        const dy = new Float32Array(y.data.length);
        const loss = rows(y).map((row, i) => {
          const p = softmax(row);
          p.forEach((v, j) => (dy[i * row.length + j] = (targeted ? -1 : 1) * (v - (j === LABELS[i] ? 1 : 0))));
          const ce = -Math.log(p[LABELS[i]]);
          return targeted ? -ce : ce;
        });
        return { loss, dy };
      });
    }
  });

  it('margin (Carlini-Wagner f6) with kappa, untargeted and targeted', async () => {
    for (const targeted of [false, true]) {
      await check(classifier, { kind: 'margin', kappa: 50, targeted }, { labels: LABELS }, 'logits', (y) => {
        const dy = new Float32Array(y.data.length);
        const loss = rows(y).map((row, i) => {
          const others = row.map((v, j) => (j === LABELS[i] ? -Infinity : v));
          const best = others.indexOf(Math.max(...others));
          const diff = targeted ? row[best] - row[LABELS[i]] : row[LABELS[i]] - row[best];
          dy[i * row.length + LABELS[i]] = targeted ? -1 : 1;
          dy[i * row.length + best] = targeted ? 1 : -1;
          return Math.max(diff, -50);
        });
        return { loss, dy };
      });
    }
  });

  it('logit', () =>
    check(classifier, { kind: 'logit' }, { labels: [1, 4] }, 'logits', (y) => {
      const dy = new Float32Array(y.data.length);
      const loss = rows(y).map((row, i) => {
        dy[i * row.length + [1, 4][i]] = 1;
        return row[[1, 4][i]];
      });
      return { loss, dy };
    }));

  it('sum and mean of a masked output restricted to channels [1, 3)', async () => {
    const mask = floatTensor([2, 3, 16, 16], npy('detector.outgrad_heatmap').data.map((v) => Math.abs(v)));
    for (const kind of ['sum', 'mean'] as const) {
      await check(detector, { kind, output: 'heatmap', masked: true, channels: [1, 3] }, { mask }, 'heatmap', (y) => {
        const dy = new Float32Array(y.data.length);
        const scale = kind === 'mean' ? 1 / (2 * 256) : 1;
        const loss = [0, 1].map((n) => {
          let s = 0;
          for (let i = n * 768 + 256; i < (n + 1) * 768; i++) {
            s += y.data[i] * mask.data[i];
            dy[i] = mask.data[i] * scale;
          }
          return s * scale;
        });
        return { loss, dy };
      });
    }
  });

  it('max over channel 0 (the "hide" objective)', () =>
    check(detector, { kind: 'max', output: 'heatmap', channels: [0, 1] }, {}, 'heatmap', (y) => {
      const dy = new Float32Array(y.data.length);
      const loss = [0, 1].map((n) => {
        const channel = Array.from(y.data.subarray(n * 768, n * 768 + 256));
        const at = channel.indexOf(Math.max(...channel));
        dy[n * 768 + at] = 1;
        return channel[at];
      });
      return { loss, dy };
    }));

  it('tiled max of channel 1: sum over 4x4 tiles of (tile max - floor)+, gradient at each tile argmax above the floor', () =>
    check(detector, { kind: 'max', output: 'heatmap', channels: [1, 2], tiles: { size: 4, floor: 0.72 } }, {}, 'heatmap', (y) => {
      const dy = new Float32Array(y.data.length);
      let above = 0;
      let below = 0;
      const loss = [0, 1].map((n) => {
        let s = 0;
        for (let ty = 0; ty < 16; ty += 4)
          for (let tx = 0; tx < 16; tx += 4) {
            let at = -1;
            for (let yy = ty; yy < ty + 4; yy++) for (let xx = tx; xx < tx + 4; xx++) {
              const i = n * 768 + 256 + yy * 16 + xx;
              if (at < 0 || y.data[i] > y.data[at]) at = i;
            }
            if (y.data[at] > 0.72) {
              s += y.data[at] - 0.72;
              dy[at] = 1;
              above++;
            } else below++;
          }
        return s;
      });
      // The floor must split the tiles for the check to mean anything.
      expect(above).toBeGreaterThan(0);
      expect(below).toBeGreaterThan(0);
      return { loss, dy };
    }));

  it('cosine similarity to per-sample vectors', async () => {
    const vectors = floatTensor([2, 10], Float32Array.from({ length: 20 }, (_, i) => Math.sin(i + 1)));
    await check(classifier, { kind: 'cosine', output: 'logits' }, { vectors }, 'logits', (y) => {
      const dy = new Float32Array(y.data.length);
      const loss = rows(y).map((e, i) => {
        const v = Array.from(vectors.data.subarray(i * 10, i * 10 + 10));
        const dot = e.reduce((s, x, j) => s + x * v[j], 0);
        const ne = Math.hypot(...e);
        const nv = Math.hypot(...v);
        const cos = dot / (ne * nv);
        e.forEach((x, j) => (dy[i * 10 + j] = v[j] / (ne * nv) - (cos * x) / (ne * ne)));
        return cos;
      });
      return { loss, dy };
    });
  });

  it('mse to a per-call target', async () => {
    const target = floatTensor([2, 10], Float32Array.from({ length: 20 }, (_, i) => Math.cos(i)));
    await check(classifier, { kind: 'mse', output: 'logits' }, { target }, 'logits', (y) => {
      const dy = y.data.map((v, i) => (2 * (v - target.data[i])) / 10);
      const loss = rows(y).map((row, i) => row.reduce((s, v, j) => s + (v - target.data[i * 10 + j]) ** 2, 0) / 10);
      return { loss, dy };
    });
  });
});

describe('gradient oracle: caching and errors', () => {
  it('shares one built graph and one session between oracles of the same model, loss and batch; frees it on the last dispose', async () => {
    const model = await loadModel(fixture('autodiff', 'googlenet.onnx'));
    const before = leasedSessionCount();
    // One multi-threaded session per graph (session workers have their own test).
    const a = createGradientOracle(model, { kind: 'ce' }, { workers: null });
    const b = createGradientOracle(model, { kind: 'ce' }, { workers: null });
    const [ga, gb] = [await a.prepare(2), await b.prepare(2)];
    expect(ga).toBe(gb);
    expect(leasedSessionCount()).toBe(before + 1);
    const first = await a.gradient(pixels, { labels: LABELS });
    const again = await a.gradient(pixels, { labels: LABELS });
    expect(Array.from(again.grad.data)).toEqual(Array.from(first.grad.data));
    expect(await a.prepare(2)).toBe(ga);
    const other = createGradientOracle(model, { kind: 'ce', targeted: true }, { workers: null });
    expect(await other.prepare(2)).not.toBe(ga);
    await a.dispose();
    expect(leasedSessionCount()).toBe(before + 2);
    await b.dispose();
    await other.dispose();
    expect(leasedSessionCount()).toBe(before);
  });

  it('rejects bad pixels and loss arguments with one-line errors', async () => {
    const model = await loadModel(fixture('autodiff', 'googlenet.onnx'));
    const oracle = createGradientOracle(model, { kind: 'ce' });
    await expect(oracle.gradient(floatTensor([2, 3, 32, 32]), { labels: LABELS })).rejects.toThrow(/pixels must be \[N,3,64,64\] NCHW RGB in \[0,1\], got \[2,3,32,32\]/);
    await expect(oracle.gradient(pixels)).rejects.toThrow(/ce loss needs one label per sample \(2\), got none/);
    await expect(oracle.gradient(pixels, { labels: [3, 10] })).rejects.toThrow(/label 10 is not a class index in \[0, 10\)/);
    const masked = createGradientOracle(await loadModel(fixture('autodiff', 'detector.onnx')), { kind: 'sum', output: 'heatmap', masked: true });
    await expect(masked.gradient(pixels, { mask: floatTensor([2, 3, 8, 8]) })).rejects.toThrow(/a mask must have shape \[2,3,16,16\], got \[2,3,8,8\]/);
    const missing = createGradientOracle(model, { kind: 'sum', output: 'nope' });
    await expect(missing.gradient(pixels)).rejects.toThrow(/has no value named 'nope'/);
    await Promise.all([oracle.dispose(), masked.dispose(), missing.dispose()]);
  });
});
