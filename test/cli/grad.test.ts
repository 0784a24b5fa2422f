import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../src/engine/tensor/npy';
import { runPatchlab } from '../helpers/cli';
import { fixture, modelFixture, tempDir } from '../helpers/paths';
import { maxAbs, maxAbsDiff } from '../helpers/tensors';

const model = fixture('autodiff', 'resnet.onnx');
const input = fixture('autodiff', 'input64.npy');

describe('patchlab grad', () => {
  it("writes d(loss)/d(input) in the model's layout; the sum reduction matches PyTorch, the mean is half of it", () => {
    const dir = tempDir();
    const sum = runPatchlab(['grad', model, input, '--label', '3,7', '--reduction', 'sum', '--out', join(dir, 'sum.npy'), '--json']);
    expect(sum.stderr).toBe('');
    expect(sum.code).toBe(0);
    const doc = JSON.parse(sum.stdout);
    expect(Object.keys(doc).sort()).toEqual(['grad', 'loss', 'mean_loss', 'shape']);
    expect(doc.shape).toEqual([2, 3, 64, 64]);
    expect(doc.loss).toHaveLength(2);
    const grad = readNpy(join(dir, 'sum.npy'));
    expect(grad.type).toBe('float32');
    expect(grad.dims).toEqual([2, 3, 64, 64]);
    const reference = readNpy(fixture('autodiff', 'resnet.grad.npy')).data as Float32Array;
    expect(maxAbsDiff(grad.data as Float32Array, reference)).toBeLessThanOrEqual(1e-4 * maxAbs(reference));

    const mean = runPatchlab(['grad', model, input, '--label', '3,7', '--out', join(dir, 'mean.npy')]);
    expect(mean.code).toBe(0);
    expect(mean.stdout).toContain('[2,3,64,64]');
    const half = readNpy(join(dir, 'mean.npy')).data as Float32Array;
    expect(maxAbsDiff(half, reference.map((v) => v / 2))).toBeLessThanOrEqual(1e-4 * maxAbs(reference));
  });

  it('works at any batch size and for losses on other outputs', () => {
    const dir = tempDir();
    const r = runPatchlab(['grad', fixture('autodiff', 'detector.onnx'), input, '--loss', 'max', '--output', 'heatmap', '--out', join(dir, 'g.npy')]);
    expect(r.code).toBe(0);
    expect(readNpy(join(dir, 'g.npy')).dims).toEqual([2, 3, 64, 64]);
    const single = runPatchlab(['grad', modelFixture('tinynet.onnx'), modelFixture('input224.npy'), '--loss', 'margin', '--label', '2', '--out', join(dir, 'm.npy')]);
    expect(single.code).toBe(0);
    expect(readNpy(join(dir, 'm.npy')).dims).toEqual([2, 3, 224, 224]);
  });

  it('one-line errors: missing label, bad label, wrong shape, unknown loss', () => {
    const out = join(tempDir(), 'g.npy');
    const cases: [string[], RegExp][] = [
      [['grad', model, input, '--out', out], /^patchlab: --label: the loss needs a class index \(--label K\)\n$/],
      [['grad', model, input, '--label', '10', '--out', out], /label 10 is not a class index in \[0, 10\)\n$/],
      [['grad', model, modelFixture('input224.npy'), '--label', '1', '--out', out], /input 'input' expects shape \[batch,3,64,64\], the array is \[2,3,224,224\]\n$/],
      [['grad', model, input, '--loss', 'hinge', '--out', out], /--loss: 'hinge' is not one of ce, margin, logit, sum, mean, max\n$/],
    ];
    for (const [args, message] of cases) {
      const r = runPatchlab(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('patchlab bench', () => {
  it('--json prints exactly the documented keys', () => {
    const r = runPatchlab(['bench', modelFixture('tinynet.onnx'), '--batch', '2', '--iters', '2', '--threads', '1', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc).sort()).toEqual(['batch', 'device', 'forward_backward_ms', 'forward_ms', 'peak_rss_mb', 'threads']);
    expect(doc.batch).toBe(2);
    expect(doc.device).toBe('cpu');
    expect(doc.threads).toBe(1);
    expect(doc.forward_ms).toBeGreaterThan(0);
    expect(doc.forward_backward_ms).toBeGreaterThan(0);
    expect(doc.peak_rss_mb).toBeGreaterThan(50);
  });

  it('prints a readable table', () => {
    const r = runPatchlab(['bench', modelFixture('tinynet.onnx'), '--batch', '1', '--iters', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/forward \+ input gradient\s+[\d.]+ ms/);
  });
});
