import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPatchlab, runPatchlabInProcess } from '../helpers/cli';
import { tempDir } from '../helpers/paths';
import { makeImageFolder } from '../fixtures/train/folder';

/** The trained model is a plain patchlab model: predict, attack and eval-robust take it as they take any other. */
describe('patchlab train / eval-robust', () => {
  it('trains on a folder, then predict, attack fgsm and eval-robust run on the exported model', async () => {
    const data = await makeImageFolder(16);
    const run = join(tempDir('patchlab-train-cli-'), 'run');
    const trained = runPatchlab(['train', '--arch', 'cnn', '--data', data, '--epochs', '2', '--batch', '8', '--val', '6', '--lr', '0.01', '--threads', '1', '--out', run, '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const model = join(run, 'model.onnx');
    expect(JSON.parse(trained.stdout).model).toBe(model);

    const image = join(data, 'vertical', '3.png');
    const predicted = runPatchlab(['predict', model, image, '--top', '2', '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(JSON.parse(predicted.stdout).results[0].top).toHaveLength(2);

    const out = tempDir('patchlab-train-fgsm-');
    const attacked = runPatchlab(['attack', 'fgsm', '--model', model, '--images', image, '--eps', '0.3', '--out', out, '--json']);
    expect(attacked.code, attacked.stderr).toBe(0);

    const report = tempDir('patchlab-robust-');
    const robust = runPatchlab(['eval-robust', model, '--data', data, '--count', '12', '--attacks', 'clean,fgsm,pgd-20,cw-linf', '--sweep', '0,0.2', '--eps', '0.2', '--out', report, '--json']);
    expect(robust.code, robust.stderr).toBe(0);
    const doc = JSON.parse(robust.stdout);
    expect(doc.rows.map((r: { attack: string }) => r.attack)).toEqual(['clean', 'fgsm', 'pgd-20', 'cw-linf']);
    const acc = Object.fromEntries(doc.rows.map((r: { attack: string; accuracy: number }) => [r.attack, r.accuracy]));
    // An attack never raises accuracy above clean (a sample must be right before and after).
    for (const a of ['fgsm', 'pgd-20', 'cw-linf']) expect(acc[a]).toBeLessThanOrEqual(acc.clean);
    expect(doc.sweep).toHaveLength(4);
    for (const f of ['robust.json', 'robust.svg', 'robust.png']) expect(existsSync(join(report, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(report, 'robust.json'), 'utf8')).count).toBe(12);

    // Several models: the same images for each and one comparison table.
    const copy = join(tempDir('patchlab-train-copy-'), 'second');
    mkdirSync(copy);
    for (const f of ['model.onnx', 'manifest.json']) copyFileSync(join(run, f), join(copy, f));
    const compared = tempDir('patchlab-compare-');
    const both = runPatchlab(['eval-robust', model, join(copy, 'model.onnx'), '--data', data, '--count', '12', '--attacks', 'clean,fgsm', '--sweep', '0', '--eps', '0.2', '--out', compared]);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stdout).toMatch(/\| model \| clean \| FGSM \|/);
    const table = readFileSync(join(compared, 'comparison.md'), 'utf8');
    expect(table).toContain('| run |');
    expect(table).toContain('| second |');
    const comparison = JSON.parse(readFileSync(join(compared, 'comparison.json'), 'utf8'));
    // The same weights on the same images: the same numbers.
    expect(comparison.models[0].accuracy).toEqual(comparison.models[1].accuracy);
    for (const name of ['run', 'second']) expect(existsSync(join(compared, name, 'robust.json')), name).toBe(true);
  }, 300_000);

  it('rejects an unknown architecture and a missing teacher in one line', async () => {
    const arch = await runPatchlabInProcess(['train', '--arch', 'vgg', '--out', tempDir()]);
    expect(arch.code).not.toBe(0);
    expect(arch.stderr.trim().split('\n')).toHaveLength(1);
    expect(arch.stderr).toContain('--arch');
    const distill = await runPatchlabInProcess(['distill', '--out', tempDir()]);
    expect(distill.stderr).toContain('distill: --teacher MODEL.onnx is required');
  });
});
