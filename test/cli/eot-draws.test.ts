import { beforeAll, describe, expect, it } from 'vitest';
import { runPatchlabInProcess } from '../helpers/cli';
import { randomLinear } from '../helpers/linear-oracle';
import { writeLinearOnnx } from '../helpers/linear-onnx';
import { imageFixture, tempDir } from '../helpers/paths';

let base: string[] = [];
beforeAll(() => {
  base = ['--model', writeLinearOnnx(randomLinear(16, 12, 4, 21), tempDir()), '--images', imageFixture('dog.jpg'), '--out', tempDir()];
});

describe('digital attacks: --eot-draws, not --eot', () => {
  it('--eot on a digital attack is refused with one line pointing to --eot-draws', async () => {
    const r = await runPatchlabInProcess(['attack', 'pgd', ...base, '--eot', '4']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^patchlab: --eot: .*--eot-draws 4/);
  });

  it('--eot-draws N averages over a defence\'s randomness, and needs a defence', async () => {
    const r = await runPatchlabInProcess(['attack', 'fgsm', ...base, '--eot-draws', '4']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^patchlab: --eot-draws needs a --defence/);
    const ok = await runPatchlabInProcess(['attack', 'fgsm', ...base, '--eot-draws', '3', '--defence', 'random-resize', '--judge-draws', '2', '--json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('help lists --eot-draws and not --eot', async () => {
    const r = await runPatchlabInProcess(['attack', 'pgd', '--help']);
    expect(r.stdout).toMatch(/--eot-draws <n>/);
    expect(r.stdout).not.toMatch(/--eot </);
  });
});
