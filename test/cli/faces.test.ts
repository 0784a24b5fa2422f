import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths';
import { runPatchlabInProcess } from '../helpers/cli';

const saved = process.env.PATCHLAB_HOME;
let root: string;

beforeAll(() => {
  root = tempDir('patchlab-faces-cli-');
  process.env.PATCHLAB_HOME = join(root, 'home');
});

afterAll(() => {
  if (saved === undefined) delete process.env.PATCHLAB_HOME;
  else process.env.PATCHLAB_HOME = saved;
});

describe('patchlab faces', () => {
  it('lists no galleries in a fresh home, as text and as JSON', async () => {
    const text = await runPatchlabInProcess(['faces', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/no galleries yet \(patchlab faces enrol NAME PHOTOS\.\.\.\)/);
    const json = await runPatchlabInProcess(['faces', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it('fails with one line naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['faces', 'calibrate', '--pairs', join(root, 'none'), '--fmr', '2'], /--fmr: 2 is not a rate between 0 and 1/],
      [['faces', 'enrol', 'x', join(root, 'missing.jpg'), '--frames', '0'], /--frames/],
      [['eval', join(root, 'run'), '--probes', root], /--probes needs --wearer GALLERY/],
      [['eval', join(root, 'run')], /eval needs --scenes DIR \(or, for eyeglass frames, --probes DIR --wearer GALLERY\)/],
    ];
    for (const [args, message] of cases) {
      const r = await runPatchlabInProcess(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
