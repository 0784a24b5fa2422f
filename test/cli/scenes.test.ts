import { describe, expect, it } from 'vitest';
import { runPatchlab } from '../helpers/cli';
import { imageFixture, tempDir } from '../helpers/paths';

describe('patchlab scenes', () => {
  it('add, info and list report scenes per split; bad input is one line', () => {
    const env = { PATCHLAB_HOME: tempDir('patchlab-home-') };
    const added = runPatchlab(['scenes', 'add', imageFixture('group1.jpg'), imageFixture('group2.jpg'), '--set', 'demo', '--split', 'test', '--json'], env);
    expect(added.code).toBe(0);
    expect(added.stderr).toContain('2 scene(s) added, 0 duplicate(s) skipped');
    const info = JSON.parse(runPatchlab(['scenes', 'info', 'demo', '--json'], env).stdout);
    expect(info.splits.test).toEqual({ sources: 2, scenes: 2 });
    expect(info.splits.train).toEqual({ sources: 0, scenes: 0 });
    const list = JSON.parse(runPatchlab(['scenes', 'list', '--json'], env).stdout);
    expect(list.map((s: { name: string }) => s.name)).toEqual(['demo']);
    const bad = runPatchlab(['scenes', 'add', '/nope.jpg', '--set', 'demo'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim()).toBe('patchlab: /nope.jpg: no such file or folder');
    const split = runPatchlab(['eval', '/nope', '--scenes', 'photos/', '--split', 'test'], env);
    expect(split.stderr.trim()).toBe('patchlab: --split: needs --scenes set:NAME (a scene set)');
  }, 120_000);
});
