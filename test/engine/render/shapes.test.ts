import { describe, expect, it } from 'vitest';
import { parseShape, shapeMask } from '../../../src/engine/render/shapes';

describe('patch shapes', () => {
  it('parses the --shape forms and names bad ones', () => {
    expect(parseShape('circle')).toEqual({ kind: 'circle' });
    expect(parseShape('rect:2')).toEqual({ kind: 'rectangle', aspect: 2 });
    expect(parseShape('mask:a:b.png')).toEqual({ kind: 'mask', file: 'a:b.png' });
    expect(() => parseShape('star')).toThrow(/--shape: 'star' is not one of/);
  });

  it('makes masks of the requested size: square full, circle round, rectangle by aspect', async () => {
    const sq = (await shapeMask({ kind: 'square' }, 32)).mask;
    expect([sq.width, sq.height, Math.min(...sq.data)]).toEqual([32, 32, 1]);
    const ci = (await shapeMask({ kind: 'circle' }, 64)).mask;
    expect(ci.data[0]).toBe(0);
    expect(ci.data[32 * 64 + 32]).toBe(1);
    const covered = ci.data.reduce((a, v) => a + v, 0) / (64 * 64);
    expect(covered).toBeCloseTo(Math.PI / 4, 2);
    const re = (await shapeMask({ kind: 'rectangle', aspect: 2 }, 64)).mask;
    expect([re.width, re.height]).toEqual([64, 32]);
  });

  it('rasterises the shipped eyeglass frame with transparent lenses and the eyes at the lens centres', async () => {
    const { mask, anchors } = await shapeMask({ kind: 'eyeglasses' }, 300);
    expect(mask.width).toBe(300);
    expect(mask.height).toBe(102);
    expect(anchors).toBeDefined();
    const at = ([x, y]: [number, number]): number => mask.data[Math.round(y) * mask.width + Math.round(x)];
    expect(at(anchors!.left)).toBe(0);
    expect(at(anchors!.right)).toBe(0);
    expect(anchors!.right[0] - anchors!.left[0]).toBeCloseTo(136, 0);
    // The bridge between the lenses is frame.
    expect(at([150, 29])).toBeGreaterThan(0.9);
  });
});
