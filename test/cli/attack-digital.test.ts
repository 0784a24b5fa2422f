import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPatchlab, runPatchlabInProcess } from '../helpers/cli';
import { randomLinear } from '../helpers/linear-oracle';
import { writeLinearOnnx } from '../helpers/linear-onnx';
import { imageFixture, tempDir } from '../helpers/paths';

let model = '';

beforeAll(() => {
  model = writeLinearOnnx(randomLinear(16, 12, 4, 21), tempDir());
});

describe('patchlab attack (digital)', () => {
  it('hopskipjump --json: decision-based, written PNGs judged by predict, queries within the budget', () => {
    const out = tempDir('patchlab-cli-');
    const r = runPatchlab(['attack', 'hopskipjump', '--model', model, '--images', imageFixture('dog.jpg'), imageFixture('kite.jpg'), '--out', out, '--queries', '400', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.attack).toBe('hopskipjump');
    expect(doc.results).toHaveLength(2);
    for (const result of doc.results) {
      expect(result.queries).toBeLessThanOrEqual(400 + 6);
      expect(existsSync(result.adversarialImage)).toBe(true);
      expect(result.success).toBe(result.adversarial.index !== result.original.index);
    }
    expect(doc.summary.successRate).toBe(1);
    expect(existsSync(`${out}/results.json`)).toBe(true);
  });

  it('pgd (gradients from the autodiff engine) fools predict within the budget on the written image', () => {
    const out = tempDir('patchlab-cli-');
    const r = runPatchlab(['attack', 'pgd', '--model', model, '--images', imageFixture('dog.jpg'), '--out', out, '--eps', '24/255', '--steps', '10', '--json']);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.successRate).toBe(1);
    expect(doc.results[0].norms.linf).toBeLessThanOrEqual(24 / 255 + 1e-9);
  });

  it('transfer to an identical model succeeds exactly where it succeeds on the surrogate', () => {
    const out = tempDir('patchlab-cli-');
    const r = runPatchlab(['attack', 'transfer', '--surrogate', model, '--model', model, '--images', imageFixture('dog.jpg'), imageFixture('kite.jpg'), '--out', out, '--eps', '24/255', '--json']);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.successRate).toBe(doc.summary.surrogateSuccessRate);
    for (const result of doc.results) expect(result.success).toBe(result.surrogate.success);
  });

  it('square prints a per-image table and a summary', () => {
    const out = tempDir('patchlab-cli-');
    const r = runPatchlab(['attack', 'square', '--model', model, '--images', imageFixture('dog.jpg'), '--out', out, '--eps', '16/255', '--queries', '200']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/square on linear/);
    expect(r.stdout).toMatch(/success rate\s+\d+\.\d% of 1 \(verified on the written PNGs\)/);
    expect(r.stdout).toMatch(/queries\s+mean \d+/);
  });

  it('--defence wraps the model: the summary names the chain and judges the written PNGs through it', () => {
    const out = tempDir('patchlab-cli-');
    const r = runPatchlab(['attack', 'square', '--model', model, '--images', imageFixture('dog.jpg'), '--out', out, '--eps', '16/255', '--queries', '100', '--defence', 'bit-depth=5,median=2', '--json']);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.defence).toBe('bit-depth(5) -> median(2)');
    expect(doc.summary.defended.cleanAccuracy).toBeGreaterThanOrEqual(0);
    expect(Object.keys(doc.results[0].defended).sort()).toEqual(['cleanAccuracy', 'success']);
  });

  it('fails with one line naming the problem', async () => {
    const out = tempDir('patchlab-cli-');
    const base = ['--model', model, '--images', imageFixture('dog.jpg'), '--out', out];
    const cases: [string[], RegExp][] = [
      [['attack', 'square', ...base, '--defence', 'jpg=50'], /^patchlab: --defence: unknown defence 'jpg'/],
      [['attack', 'square', ...base, '--eps', 'eight'], /^patchlab: --eps: 'eight' is not a number/],
      [['attack', 'square', ...base, '--eot-draws', '4'], /^patchlab: --eot-draws needs a --defence/],
      [['attack', 'square', ...base, '--target', 'zebra'], /^patchlab: --target: 'zebra' is not a class of this model \(0, 1, 2, 3\)/],
      [['attack', 'square', '--model', model, '--images', '/nonexistent/dir', '--out', out], /^patchlab: \/nonexistent\/dir: no such file or folder/],
      [['attack', 'deepfool', ...base, '--target', '1'], /^patchlab: deepfool is untargeted/],
      [['attack', 'universal', ...base, '--target', '1'], /^patchlab: universal: the universal perturbation is untargeted/],
    ];
    for (const [args, message] of cases) {
      const r = await runPatchlabInProcess(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
