import { describe, expect, it } from 'vitest';
import type { GradientProfile } from '../../../scripts/bench/gradient-profile';
import type { PatchMeasurement } from '../../../scripts/bench/patch-row';
import { patchTable, profileTables, webcamTable } from '../../../scripts/bench/time-goes';

/** A table's body rows as cells. */
const rows = (text: string, header: string): string[][] => {
  const lines = text.split('\n');
  const body = lines.slice(lines.findIndex((l) => l.startsWith(`| ${header} |`)) + 2);
  const end = body.findIndex((l) => !l.startsWith('|'));
  return body.slice(0, end < 0 ? body.length : end).map((l) => l.slice(2, -2).split(' | '));
};

describe('where the time goes', () => {
  it("splits a patch step into its parts with their shares, and shows the extrapolation's sum", () => {
    const p: PatchMeasurement = {
      timedSteps: 20,
      stepMs: 1000,
      cpuMs: 1500,
      split: { render: 200, model: 600, backward: 100, rest: 100 },
      onceMs: 30_000,
      steps: 600,
      minutes: 10.5,
      scenes: ['group1.jpg', 'group2.jpg'],
      batch: 8,
      warmup: 2,
    };
    const text = patchTable(p);
    expect(text).toContain('600 steps ≈ 30 s + 600 × 1.00 s = **10.5 min**');
    expect(text).toContain('group1.jpg, group2.jpg');
    expect(rows(text, 'part of a step').map((r) => r.slice(1))).toEqual([
      ['0.20', '20%'],
      ['0.60', '60%'],
      ['0.10', '10%'],
      ['0.10', '10%'],
      ['1.00', '100%'],
      ['1.50', '150%'],
    ]);
  });

  it("measures the webcam's parts against the frame interval", () => {
    const text = webcamTable({ samples: 10, fps: { median: 10, min: 9, max: 11 }, roundTripMs: 150, engineMs: 60, transferMs: 90, grabMs: 5 });
    expect(rows(text, 'part')).toEqual([
      ['frame interval (1000 / FPS)', '100', '100%'],
      ['round trip (frame sent to answer received)', '150', '150%'],
      ['– engine: decode + inference', '60', '60%'],
      ['– transfer and queueing (round trip − engine)', '90', '90%'],
      ['grab (drawImage + getImageData on the page)', '5', '5%'],
    ]);
  });

  it('lists the top op types by self time with their share of kernel time, and the slowest nodes', () => {
    const p: GradientProfile = {
      label: 'tiny',
      forwardOnly: false,
      batch: 8,
      threads: 1,
      runs: 3,
      wallMs: 110,
      kernelMs: 100,
      byType: [
        { op: 'Conv', ms: 70, nodes: 10 },
        { op: 'Mul', ms: 20, nodes: 4 },
        { op: 'Sum', ms: 10, nodes: 2 },
      ],
      byNode: [{ name: 'grad/Conv_1', op: 'Conv', ms: 40, shape: 'float 8×64×56×56' }],
    };
    const text = profileTables('Tiny', p, 2);
    expect(text).toContain('one session on one thread, 3 profiled runs: 110 ms wall and 100 ms of kernel time per run');
    expect(rows(text, 'op type')).toEqual([
      ['Conv', '70.0', '70%', '10'],
      ['Mul', '20.0', '20%', '4'],
    ]);
    expect(rows(text, 'slowest node')).toEqual([['grad/Conv_1', 'Conv', '40.0', 'float 8×64×56×56']]);
  });
});
