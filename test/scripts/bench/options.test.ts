import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/engine/errors';
import { parseBenchOptions, parseRows } from '../../../scripts/bench/options';

describe("npm run bench's flags", () => {
  it('measures every row with the full settings by default, and writes BENCHMARKS.md', () => {
    const o = parseBenchOptions([]);
    expect([...o.only]).toEqual(['ratio', 'webcam', 'patch']);
    expect(o).toMatchObject({ batch: 8, iters: 10, repeats: 3, threads: 2, ablation: true, patchSteps: 20, webcamSeconds: 15, webcamWarmup: 5, write: true });
  });

  it('reads a smoke run', () => {
    const o = parseBenchOptions(['--only', 'patch,webcam', '--iters', '2', '--repeats', '1', '--patch-steps', '3', '--webcam-seconds', '3', '--webcam-warmup', '0', '--no-ablation', '--no-write']);
    expect([...o.only].sort()).toEqual(['patch', 'webcam']);
    expect(o).toMatchObject({ iters: 2, repeats: 1, patchSteps: 3, webcamSeconds: 3, webcamWarmup: 0, ablation: false, write: false });
  });

  it('names the flag and the choices for an unknown row', () => {
    expect(() => parseRows('ratio,gpu')).toThrow(UserError);
    expect(() => parseRows('ratio,gpu')).toThrow("--only: 'gpu' is not one of ratio, webcam, patch");
    expect(() => parseRows(' , ')).toThrow('--only: give one or more of ratio, webcam, patch');
    expect([...parseRows(' ratio , patch ')]).toEqual(['ratio', 'patch']);
  });

  it('names the flag of a bad number', () => {
    expect(() => parseBenchOptions(['--patch-steps', '0'])).toThrow("--patch-steps: '0' is not a positive whole number");
    expect(() => parseBenchOptions(['--webcam-seconds', 'many'])).toThrow('--webcam-seconds');
    expect(() => parseBenchOptions(['--webcam-warmup', '-1'])).toThrow('--webcam-warmup');
  });

  it('refuses an unknown flag as a user error, not a crash', () => {
    expect(() => parseBenchOptions(['--patch-step', '3'])).toThrow(UserError);
    expect(() => parseBenchOptions(['--patch-step', '3'])).toThrow(/patch-step/);
  });
});
