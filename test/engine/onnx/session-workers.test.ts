import { afterAll, describe, expect, it } from 'vitest';
import { splitRows } from '../../../src/engine/autodiff/batch-rows';
import { createGradientOracle } from '../../../src/engine/autodiff/gradient-oracle';
import { loadModel } from '../../../src/engine/models/loaded';
import { SessionWorkers, sessionWorkerCount } from '../../../src/engine/onnx/session-workers/pool';
import { floatTensor } from '../../../src/engine/tensor/tensor';
import { fixture } from '../../helpers/paths';

const workers = new SessionWorkers(2);
afterAll(() => workers.close());

function randomPixels(n: number, size: number) {
  const t = floatTensor([n, 3, size, size]);
  for (let i = 0; i < t.data.length; i++) t.data[i] = ((i * 2654435761) >>> 0) / 4294967296;
  return t;
}

describe('session workers', () => {
  it('splits n rows into near-equal consecutive runs', () => {
    expect(splitRows(8, 2)).toEqual([[0, 4], [4, 4]]);
    expect(splitRows(5, 2)).toEqual([[0, 3], [3, 2]]);
    expect(splitRows(1, 4)).toEqual([[0, 1]]);
    expect(splitRows(7, 3).reduce((a, [, c]) => a + c, 0)).toBe(7);
  });

  it('counts one worker per core on the CPU, one on an accelerator, and obeys PATCHLAB_SESSION_WORKERS', () => {
    expect(sessionWorkerCount({ PATCHLAB_SESSION_WORKERS: '3' }, 'cpu')).toBe(3);
    expect(sessionWorkerCount({ PATCHLAB_SESSION_WORKERS: '0' }, 'cpu')).toBe(1);
    expect(sessionWorkerCount({}, 'cuda')).toBe(1);
    expect(sessionWorkerCount({}, 'cpu')).toBeGreaterThanOrEqual(1);
  });

  it('runs a model as the local session does, spreads overlapping runs over both workers, and keeps the caller\'s buffers unless told to move them', async () => {
    const model = await loadModel(fixture('autodiff', 'googlenet.onnx'));
    const input = randomPixels(1, 64);
    const feeds = { [model.input.name]: input };
    const local = await (await model.session()).run(feeds);
    workers.acquire('g', model.bytes, 'googlenet');
    const before = [...workers.runsPerWorker];
    const results = await Promise.all([workers.run('g', feeds), workers.run('g', feeds)]);
    expect(workers.runsPerWorker.map((n, i) => n - before[i])).toEqual([1, 1]);
    for (const out of results) for (const [name, t] of Object.entries(local)) expect(Array.from(out[name].data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
    expect(input.data.length).toBe(3 * 64 * 64);
    const moved = randomPixels(1, 64);
    await workers.run('g', { [model.input.name]: moved }, [], true);
    expect(moved.data.length).toBe(0);
  });

  it('answers a bad run with a one-line error and stays usable; a released graph is gone', async () => {
    const model = await loadModel(fixture('autodiff', 'googlenet.onnx'));
    workers.acquire('h', model.bytes, 'googlenet');
    await expect(workers.run('h', { [model.input.name]: randomPixels(1, 32) })).rejects.toThrow(/session worker: googlenet: .*expects shape/);
    const ok = await workers.run('h', { [model.input.name]: randomPixels(1, 64) });
    expect(Object.keys(ok).length).toBeGreaterThan(0);
    const count = workers.graphCount;
    workers.release('h');
    expect(workers.graphCount).toBe(count - 1);
    await expect(workers.run('h', {})).rejects.toThrow(/was not acquired/);
  });

  it('gives a gradient oracle split over the workers the same losses and gradients as one session, and names the whole batch in argument errors', async () => {
    const model = await loadModel(fixture('autodiff', 'googlenet.onnx'));
    const pixels = randomPixels(5, 64);
    const labels = [1, 2, 3, 4, 5];
    const one = createGradientOracle(model, { kind: 'ce' }, { workers: null });
    const spread = createGradientOracle(model, { kind: 'ce' }, { workers });
    expect(spread.concurrency).toBe(2);
    const graphs = workers.graphCount;
    const a = await one.gradient(pixels, { labels });
    const b = await spread.gradient(pixels, { labels });
    expect(workers.graphCount).toBe(graphs + 2);
    expect(Array.from(b.loss)).toEqual(Array.from(a.loss));
    expect(b.meanLoss).toBeCloseTo(a.meanLoss, 5);
    expect(b.grad.dims).toEqual(a.grad.dims);
    let worst = 0;
    for (let i = 0; i < a.grad.data.length; i++) worst = Math.max(worst, Math.abs(a.grad.data[i] - b.grad.data[i]));
    expect(worst).toBeLessThan(1e-6);
    expect(pixels.data.length).toBe(5 * 3 * 64 * 64);
    await expect(spread.gradient(pixels, { labels: [1, 2] })).rejects.toThrow(/ce loss needs one label per sample \(5\), got 2/);
    await spread.dispose();
    await one.dispose();
    expect(workers.graphCount).toBe(graphs);
  });
});
