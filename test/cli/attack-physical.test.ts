import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPatchlab } from '../helpers/cli';
import { ROOT, imageFixture, modelFixture, tempDir } from '../helpers/paths';

const hasGradientEngine = existsSync(join(ROOT, 'src/engine/autodiff/gradient-oracle.ts'));

describe('patchlab attack patch|sticker|glasses and eval: bad input', () => {
  const scenes = [imageFixture('dog.jpg'), imageFixture('eagle.jpg')].join(',');
  const cases: [string[], RegExp][] = [
    [['attack', 'patch', '--model', 'x', '--scenes', scenes], /^patchlab: --out is required$/m],
    [['attack', 'patch', '--model', 'x', '--scenes', scenes, '--out', 'o', '--eot', 'spin=3'], /--eot: unknown transform 'spin'/],
    [['attack', 'glasses', '--model', 'x', '--goal', 'hide', '--scenes', scenes, '--out', 'o'], /--goal: 'hide' does not apply to glasses attacks/],
    [['attack', 'patch', '--model', 'x', '--class', 'person', '--scenes', scenes, '--out', 'o', '--shape', 'star'], /--shape: 'star' is not one of/],
    [['attack', 'patch', '--resume', '/nonexistent/run'], /\/nonexistent\/run: not a run folder/],
    [['eval', '/nonexistent/run', '--scenes', scenes], /no such run folder or patch image/],
  ];
  for (const [args, message] of cases) {
    it(args.slice(0, 2).join(' ') + ': ' + message.source, () => {
      const r = runPatchlab(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});

describe.skipIf(!hasGradientEngine)('patchlab attack patch + eval on a real ONNX classifier', () => {
  it('optimises, writes the run, resumes, and evaluates with controls', () => {
    const dir = join(tempDir(), 'run');
    const scenes = [imageFixture('dog.jpg'), imageFixture('eagle.jpg')].join(',');
    const model = modelFixture('tinynet.onnx');
    const common = ['--model', model, '--goal', 'untargeted', '--scenes', scenes, '--batch', '2', '--resolution', '16', '--export-size', '64', '--size', '0.4'];
    const first = runPatchlab(['attack', 'patch', ...common, '--steps', '4', '--checkpoint-every', '2', '--out', dir]);
    expect(first.stderr).not.toMatch(/patchlab:/);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`patch:   ${dir}/patch.png`);
    const resumed = runPatchlab(['attack', 'patch', '--resume', dir, '--steps', '6', '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'done', stepsDone: 6 });
    const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(record.steps).toEqual({ done: 6, total: 6 });
    expect(record.model.hash).toMatch(/^[0-9a-f]{64}$/);
    const ev = runPatchlab(['eval', dir, '--scenes', scenes, '--views', '2', '--json']);
    expect(ev.code).toBe(0);
    const report = JSON.parse(ev.stdout);
    expect(report.metric).toBe('views misclassified');
    expect(Object.keys(report.variants)).toEqual(['patch', 'noise control', 'natural control', 'clean']);
    expect(existsSync(join(dir, 'eval-summary.png'))).toBe(true);
    // Three CLI processes, each loading onnxruntime and building a gradient graph.
  }, 300_000);
});
