import { describe, expect, it } from 'vitest';
import { parseShape, shapeMask } from '../../../src/engine/render/shapes';

describe('patch shapes', () => {
  it('parses the --shape forms and names bad ones', () => {
    expect(parseShape('circle')).toEqual({ kind: 'circle' });
    expect(parseShape('rect:2')).toEqual({ kind: 'rectangle', aspect: 2 });
    expect(parseShape('mask:a:b.png')).toEqual({ kind: 'mask', file: 'a:b.png' });
    expect(() => parseShape('star')).toThrow(/--shape: 'star' is not one of/);
    expect(parseShape('eyeglasses')).toEqual({ kind: 'eyeglasses' });
    expect(parseShape('eyeglasses:thick')).toEqual({ kind: 'eyeglasses', frame: 'thick' });
    expect(() => parseShape('eyeglasses:round')).toThrow(/'eyeglasses:round' names no eyeglass frame \(use eyeglasses:classic, eyeglasses:thick\)/);
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

  it('the thick frame puts the eyes in the same places and covers about 1.4x the classic frame', async () => {
    const classic = await shapeMask({ kind: 'eyeglasses', frame: 'classic' }, 300);
    const thick = await shapeMask({ kind: 'eyeglasses', frame: 'thick' }, 300);
    expect([thick.mask.width, thick.mask.height]).toEqual([classic.mask.width, classic.mask.height]);
    expect(thick.anchors).toEqual(classic.anchors);
    const area = (m: { data: Float32Array }): number => m.data.reduce((a, v) => a + v, 0);
    expect(area(thick.mask) / area(classic.mask)).toBeGreaterThan(1.3);
    // Lens centres stay open and the eye's width (±12 mm at 2 px/mm) is still seen through the lens.
    const at = ([x, y]: [number, number]): number => thick.mask.data[Math.round(y) * thick.mask.width + Math.round(x)];
    for (const [x, y] of [thick.anchors!.left, thick.anchors!.right]) for (const dx of [-24, 0, 24]) expect(at([x + dx, y])).toBe(0);
    // Where the classic rim ends above the lens, the thick one is still frame.
    expect(at([thick.anchors!.left[0], thick.anchors!.left[1] - 26])).toBe(1);
    expect(classic.mask.data[Math.round(classic.anchors!.left[1] - 26) * 300 + Math.round(classic.anchors!.left[0])]).toBe(0);
  });
});
