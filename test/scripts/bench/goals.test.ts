import { describe, expect, it } from 'vitest';
import { formatGoal, GOALS, goalOf, isMet, summaryRow, summaryTable, type GoalResult } from '../../../scripts/bench/goals';

describe("npm run bench's goals", () => {
  it("declares issue 19's four goals in its order, with round 2's targets", () => {
    expect(GOALS.map((g) => [g.id, formatGoal(g)])).toEqual([
      ['mobilenet', '>= 3.5x'],
      ['resnet', '>= 1.5x'],
      ['webcam', '>= 30 FPS'],
      ['patch', '<= 6 min'],
    ]);
  });

  it('meets a speedup or a rate from below and a time from above, the target itself included', () => {
    expect(isMet(goalOf('mobilenet'), 3.5)).toBe(true);
    expect(isMet(goalOf('mobilenet'), 3.49)).toBe(false);
    expect(isMet(goalOf('webcam'), 29.9)).toBe(false);
    expect(isMet(goalOf('webcam'), 31)).toBe(true);
    expect(isMet(goalOf('patch'), 6)).toBe(true);
    expect(isMet(goalOf('patch'), 6.1)).toBe(false);
    expect(isMet(goalOf('patch'), 2)).toBe(true);
  });

  it('calls nothing met that was not measured', () => {
    expect(isMet(goalOf('resnet'), undefined)).toBeUndefined();
    expect(isMet(goalOf('resnet'), NaN)).toBeUndefined();
  });

  it('shows a measured row with its peer, value and verdict', () => {
    const row = summaryRow({ id: 'resnet', status: 'measured', ours: '205 ms', peer: 'PyTorch 232 ms', value: 1.13, valueText: '1.13x (1.10x–1.20x)' });
    expect(row).toEqual([goalOf('resnet').measure, '205 ms', 'PyTorch 232 ms', '**1.13x (1.10x–1.20x)**', '>= 1.5x', '✗']);
    expect(summaryRow({ id: 'patch', status: 'measured', ours: '0.5 s/step', value: 5.2 }).slice(2)).toEqual(['—', '**5.2 min**', '<= 6 min', '✓']);
  });

  it('says why a row has no number, and gives it no verdict', () => {
    const row = summaryRow({ id: 'webcam', status: 'skipped', reason: 'no chromium (/usr/bin/chromium is missing)' });
    expect(row[1]).toBe('skipped: no chromium (/usr/bin/chromium is missing)');
    expect(row[5]).toBe('—');
  });

  it('prints one table of all four goals in order, rows left out by --only marked as not run', () => {
    const results: GoalResult[] = [
      { id: 'patch', status: 'measured', ours: '0.9 s/step', value: 9.1 },
      { id: 'mobilenet', status: 'measured', ours: '100 ms', peer: 'PyTorch 400 ms', value: 4 },
    ];
    const lines = summaryTable(results).split('\n');
    expect(lines).toHaveLength(2 + 4);
    expect(lines[0]).toBe('| measure | ours | peer / baseline | ratio or value | goal | met |');
    expect(lines[2]).toContain('MobileNetV2');
    expect(lines[2]).toMatch(/\*\*4\.00x\*\* \| >= 3\.5x \| ✓ \|$/);
    expect(lines[3]).toContain('not run: not selected by --only');
    expect(lines[4]).toContain('not run');
    expect(lines[5]).toMatch(/\*\*9\.1 min\*\* \| <= 6 min \| ✗ \|$/);
  });
});
