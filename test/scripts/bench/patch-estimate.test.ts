import { describe, expect, it } from 'vitest';
import { estimatePatchRun } from '../../../scripts/bench/patch-estimate';

const step = (ms: number, model: number, cpuMs?: number) => ({ ms, cpuMs, timing: { render: 100, model, backward: 40, rest: ms - 140 - model } });

describe("the patch goal's extrapolation", () => {
  it('drops the warm-up steps, averages the rest and adds the time outside the steps once', () => {
    // Two slow warm-up steps, then 3 steps of 0.8, 1.0 and 1.2 s; the run took 30 s in all.
    const lines = [step(5000, 4000), step(3000, 2000), step(800, 560, 1500), step(1000, 760, 1700), step(1200, 960, 1900)];
    const e = estimatePatchRun(lines, 2, 30_000, 600);
    expect(e.timedSteps).toBe(3);
    expect(e.stepMs).toBeCloseTo(1000);
    expect(e.cpuMs).toBeCloseTo(1700);
    expect(e.split).toEqual({ render: 100, model: 760, backward: 40, rest: 100 });
    // 30 s minus the 11 s all five steps took.
    expect(e.onceMs).toBeCloseTo(19_000);
    expect(e.minutes).toBeCloseTo((19 + 600) / 60);
  });

  it('scales with the step count asked for', () => {
    const lines = [step(900, 500), step(900, 500), step(600, 400)];
    expect(estimatePatchRun(lines, 2, 2400, 100).minutes).toBeCloseTo(1);
    expect(estimatePatchRun(lines, 2, 2400, 600).minutes).toBeCloseTo(6);
  });

  it('leaves CPU time out when a step lacks it', () => {
    expect(estimatePatchRun([step(500, 300, 900), step(500, 300)], 0, 1000).cpuMs).toBeUndefined();
  });

  it('refuses a run with no step after the warm-up', () => {
    expect(() => estimatePatchRun([step(500, 300), step(500, 300)], 2, 1000)).toThrow('2 warm-up step(s) leave none to time');
  });
});
