import { describe, expect, it } from 'vitest';
import { EYEGLASS_FRAMES, loadEyeglassFrame, rasterizeEyeglassFrame } from '../../../src/engine/masks/eyeglasses';

/** The JSON geometry must describe the SVG the compositor rasterises, or glasses land off the eyes. */
describe.each(EYEGLASS_FRAMES)('eyeglass frame resource: %s', (name) => {
  const { geometry, pathData } = loadEyeglassFrame(name);
  const pxPerUnit = 8;
  const [, , vbWidth, vbHeight] = geometry.viewBox;
  const rasterise = (): ReturnType<typeof rasterizeEyeglassFrame> => rasterizeEyeglassFrame(vbWidth * pxPerUnit, name);

  it('has the frame path and the documented points', () => {
    expect(pathData).toMatch(/^M /);
    expect(geometry.lensCenters.right[0] - geometry.lensCenters.left[0]).toBeCloseTo(geometry.lensCenterDistance, 6);
    expect(geometry.templeFolds.right[0][0] - geometry.templeFolds.left[0][0]).toBeCloseTo(geometry.frameWidth, 6);
  });

  it('lenses are transparent, the bridge and the stubs are opaque, and it is mirror-symmetric', async () => {
    const { alpha, width, height, scale } = await rasterise();
    expect([width, height, scale]).toEqual([vbWidth * pxPerUnit, vbHeight * pxPerUnit, pxPerUnit]);
    const at = ([x, y]: [number, number]): number => alpha[Math.round(y * pxPerUnit) * width + Math.round(x * pxPerUnit)];
    expect(at(geometry.lensCenters.left)).toBe(0);
    expect(at(geometry.lensCenters.right)).toBe(0);
    expect(at(geometry.noseBridge)).toBe(255);
    // Just below the nose apex is open (the nose goes there); just above it is frame.
    expect(at([geometry.noseApex[0], geometry.noseApex[1] + 2])).toBe(0);
    expect(at([geometry.noseApex[0], geometry.noseApex[1] - 1])).toBe(255);
    for (const side of ['left', 'right'] as const) {
      const [[x, y0], [, y1]] = geometry.templeFolds[side];
      const stubX = side === 'left' ? x - 2 : x + 2;
      expect(at([stubX, (y0 + y1) / 2])).toBe(255);
      expect(at([stubX, y0 - 1])).toBe(0);
      expect(at([stubX, y1 + 1])).toBe(0);
    }
    let asymmetric = 0;
    let opaque = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const a = alpha[y * width + x] > 127;
        if (a) opaque++;
        if (a !== alpha[y * width + (width - 1 - x)] > 127) asymmetric++;
      }
    }
    expect(asymmetric / opaque).toBeLessThan(0.002);
    // A thick frame, as Sharif et al. used, leaves room for the adversarial pattern.
    expect(opaque / (width * height)).toBeGreaterThan(0.35);
  });

  it('spans the viewBox: the opaque extent is the stub-to-stub width', async () => {
    const { alpha, width, height } = await rasterise();
    let minX = width;
    let maxX = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (alpha[y * width + x] > 127) {
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
        }
      }
    }
    expect(minX).toBe(0);
    expect(maxX).toBe(width - 1);
  });
});
