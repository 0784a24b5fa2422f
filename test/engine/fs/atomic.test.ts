import { lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../../src/engine/fs/atomic';
import { tempDir } from '../../helpers/paths';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('writeFileAtomic', () => {
  it('replaces the content and leaves no temp file behind', () => {
    const dir = tempDir();
    const file = join(dir, 'run.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, new Uint8Array([110, 101, 119]));
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['run.json']);
  });

  it('never writes through a file already sitting at its temp name (two writers, or a planted symlink)', () => {
    const dir = tempDir();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    // What a second writer in the same process and millisecond (a worker thread) would be using.
    symlinkSync(victim, join(dir, `.run.json.${process.pid}.1700000000000.tmp`));
    writeFileAtomic(join(dir, 'run.json'), 'mine');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, 'run.json')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'run.json'), 'utf8')).toBe('mine');
  });
});
