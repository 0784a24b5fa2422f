import { describe, expect, it } from 'vitest';
import { fractionInside, iou, type Box } from '../../src/shared/box';

const frame: Box = [0, 0, 100, 100];
const square = (x0: number, y0: number, side: number): [number, number][] => [
  [x0, y0],
  [x0 + side, y0],
  [x0 + side, y0 + side],
  [x0, y0 + side],
];

describe('fractionInside', () => {
  it('is 1 inside, 0 outside, and the overlap share across an edge or a corner', () => {
    expect(fractionInside(square(10, 10, 20), frame)).toBe(1);
    expect(fractionInside(square(120, 10, 20), frame)).toBe(0);
    expect(fractionInside(square(90, 10, 20), frame)).toBeCloseTo(0.5, 12);
    expect(fractionInside(square(-10, 90, 20), frame)).toBeCloseTo(0.25, 12);
    // Either winding order.
    expect(fractionInside(square(90, 10, 20).reverse(), frame)).toBeCloseTo(0.5, 12);
  });

  it('clips a rotated patch exactly: a diamond centred on the frame edge keeps half', () => {
    const diamond: [number, number][] = [
      [50, 90],
      [60, 100],
      [50, 110],
      [40, 100],
    ];
    expect(fractionInside(diamond, frame)).toBeCloseTo(0.5, 12);
    // Its corner alone inside: a triangle of 5 x 10 / 2 of the diamond's 200.
    const low = diamond.map(([x, y]) => [x, y + 5] as [number, number]);
    expect(fractionInside(low, frame)).toBeCloseTo(25 / 200, 12);
  });

  it('gives a degenerate polygon no area inside', () => {
    expect(fractionInside([[1, 1], [2, 2], [3, 3], [4, 4]], frame)).toBe(0);
  });
});

describe('iou', () => {
  it('is 1 for equal boxes, 0 for disjoint or empty ones', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
    expect(iou([0, 0, 0, 10], [0, 0, 10, 10])).toBe(0);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(1 / 3, 12);
  });
});
