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
    expect(runPatchlab(['scenes', 'add', imageFixture('group3.jpg'), imageFixture('group4.jpg'), '--set', 'demo'], env).code).toBe(0);
    const dealt = JSON.parse(runPatchlab(['scenes', 'split', 'demo', '--by', 'sources', '--keep', 'test,val', '--json'], env).stdout);
    expect(dealt.splits.train).toEqual({ sources: 2, scenes: 2 });
    expect(dealt.splits.test).toEqual({ sources: 2, scenes: 2 });
    const keepAll = runPatchlab(['scenes', 'split', 'demo', '--keep', 'train,val,test'], env);
    expect(keepAll.code).not.toBe(0);
    expect(keepAll.stderr.trim()).toBe("patchlab: --keep train,val,test: no split left to deal to (the others' --fractions shares are 0)");
    expect(runPatchlab(['scenes', 'split', 'demo', '--by', 'faces'], env).stderr.trim()).toBe("patchlab: --by: 'faces' is not one of scenes, people, sources");
    const split = runPatchlab(['eval', '/nope', '--scenes', 'photos/', '--split', 'test'], env);
    expect(split.stderr.trim()).toBe('patchlab: --split: needs --scenes set:NAME (a scene set)');
  }, 120_000);
});
