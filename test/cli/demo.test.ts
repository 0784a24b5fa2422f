import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPatchlab } from '../helpers/cli';
import { tempDir } from '../helpers/paths';

// A real centernet optimisation, evaluation and PDF: about a minute on CI, so not in the quick suite.
describe.runIf(process.env.PATCHLAB_CI || process.env.PATCHLAB_SLOW)('patchlab demo', () => {
  it('optimises, evaluates and exports a PDF into one run folder', () => {
    const home = tempDir('patchlab-demo-');
    const out = join(home, 'runs', 'demo');
    const r = runPatchlab(['demo', '--out', out, '--steps', '2', '--batch', '1', '--views', '1', '--json'], { PATCHLAB_HOME: home });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ run: out, steps: 2, pdf: join(out, 'patch.pdf') });
    expect(Object.keys(summary.evaluation).sort()).toEqual(['clean', 'natural control', 'noise control', 'patch']);
    for (const f of ['run.json', 'patch.png', 'metrics.jsonl', 'eval.json', 'patch.pdf']) expect(existsSync(join(out, f))).toBe(true);
    expect(r.stderr).toMatch(/step 2\/2/);
  }, 300_000);
});
