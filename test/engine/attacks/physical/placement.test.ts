import { describe, expect, it } from 'vitest';
import { patchOnBox, patchOnTorso } from '../../../../src/engine/attacks/physical/placement';

/** 17 keypoints, all confident, with shoulders and hips where given. */
function pose(ls: [number, number], rs: [number, number], lh?: [number, number], rh?: [number, number], score = 0.9): [number, number, number][] {
  const kp: [number, number, number][] = Array.from({ length: 17 }, () => [0, 0, 0.9]);
  kp[5] = [...ls, score];
  kp[6] = [...rs, score];
  kp[11] = lh ? [...lh, 0.9] : [0, 0, 0.1];
  kp[12] = rh ? [...rh, 0.9] : [0, 0, 0.1];
  return kp;
}

const centre = (q: readonly (readonly [number, number])[]): [number, number] => [q.reduce((a, p) => a + p[0], 0) / 4, q.reduce((a, p) => a + p[1], 0) / 4];
const side = (q: readonly (readonly [number, number])[]): number => Math.hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]);

describe('torso placement', () => {
  const box = [60, 20, 140, 260] as const;

  it('sits 40% down from the shoulders to the hips, 4 x size shoulder widths wide', () => {
    const q = patchOnTorso(pose([120, 60], [80, 60], [115, 160], [85, 160]), box, 0.2);
    expect(q).toBeDefined();
    const [cx, cy] = centre(q!);
    expect(cx).toBeCloseTo(100, 6);
    expect(cy).toBeCloseTo(100, 6);
    expect(side(q!)).toBeCloseTo(4 * 0.2 * 40, 6);
    // Upright shoulders: an upright square.
    expect(q![0][1]).toBeCloseTo(q![1][1], 6);
  });

  it('turns with the shoulder line, and goes half a shoulder width below it without hips', () => {
    const q = patchOnTorso(pose([80, 60], [120, 70]), box, 0.2)!;
    const angle = Math.atan2(q[1][1] - q[0][1], q[1][0] - q[0][0]);
    expect(angle).toBeCloseTo(Math.atan2(10, 40), 6);
    const [cx, cy] = centre(q);
    const width = Math.hypot(40, 10);
    expect(Math.hypot(cx - 100, cy - 65)).toBeCloseTo(0.5 * width, 6);
    expect(cy).toBeGreaterThan(65);
  });

  it('declines unsure or side-on shoulders (the caller uses the box rule)', () => {
    expect(patchOnTorso(pose([120, 60], [80, 60], [115, 160], [85, 160], 0.1), box, 0.2)).toBeUndefined();
    expect(patchOnTorso(pose([102, 60], [98, 60], [101, 160], [99, 160]), box, 0.2)).toBeUndefined();
    expect(patchOnBox(box, 0.2)).toHaveLength(4);
  });
});
