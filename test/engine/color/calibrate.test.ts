import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyPrinterModel, defaultPalette, loadPalette } from '../../../src/engine/color';
import { calibrateImage } from '../../../src/engine/color/calibrate';
import { runPatchlab } from '../../helpers/cli';
import { tempDir } from '../../helpers/paths';
import { syntheticChartPhoto, type Distortion, type Photo } from './synthetic-photo';

/** An inkjet-like printer: per-channel gamma (dot gain), cross-talk between inks, paper slightly warm. */
const printer: Distortion = ([r, g, b]) => {
  const v = [r ** 1.3, g ** 1.15, b ** 1.45];
  const m = [0.78, 0.08, 0.04, 0.05, 0.8, 0.06, 0.02, 0.09, 0.74];
  return [0, 1, 2].map((j) => 0.05 + 0.01 * j + m[3 * j] * v[0] + m[3 * j + 1] * v[1] + m[3 * j + 2] * v[2]) as [number, number, number];
};
const paper = printer([1, 1, 1]);
/** What calibration should recover: the printer relative to its paper white. */
const truth = (rgb: Float32Array): Float32Array => {
  const out = new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    const p = printer([rgb[i], rgb[i + 1], rgb[i + 2]]);
    for (let c = 0; c < 3; c++) out[i + c] = Math.min(1, p[c] / paper[c]);
  }
  return out;
};

function meanError255(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return (s / a.length) * 255;
}

let dir: string;
let straight: Photo;
const previousHome = process.env.PATCHLAB_HOME;

beforeAll(async () => {
  dir = tempDir();
  straight = await syntheticChartPhoto({
    palette: defaultPalette(),
    printer,
    gains: [1.02, 0.95, 0.86],
    noise: 4,
    falloff: 0.2,
    pageCorners: [
      [265, 55],
      [1030, 110],
      [1110, 920],
      [185, 895],
    ],
    width: 1280,
    height: 960,
    seed: 7,
    dir,
  });
  writeFileSync(join(dir, 'photo.jpg'), straight.jpeg);
});

beforeEach(() => {
  process.env.PATCHLAB_HOME = join(dir, 'home');
});

afterEach(() => {
  if (previousHome === undefined) delete process.env.PATCHLAB_HOME;
  else process.env.PATCHLAB_HOME = previousHome;
});

describe('calibrate', () => {
  it('recovers a known printer within 3/255 from a photo with perspective, camera gains, uneven light, noise and JPEG', async () => {
    const result = await calibrateImage(straight.jpeg, { label: 'photo.jpg' });
    expect(result.rotation).toBe(0);
    expect(result.mirrored).toBe(false);
    result.markers.forEach(([x, y], i) => expect(Math.hypot(x - straight.markers[i][0], y - straight.markers[i][1])).toBeLessThan(3));
    expect(result.outliers).toEqual([]);
    const palette = defaultPalette();
    const onPalette = meanError255(applyPrinterModel(result.palette.model, palette.colors), truth(palette.colors));
    expect(onPalette).toBeLessThan(3);
    // Between the swatches too: random colours the chart never printed.
    let s = 12345;
    const unseen = Float32Array.from({ length: 3 * 400 }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32));
    expect(meanError255(applyPrinterModel(result.palette.model, unseen), truth(unseen))).toBeLessThan(3);
    // Camera gains and the fall-off cancel: the paper reads as paper x gains x light, and is divided out.
    expect(result.paperWhite[2] / (255 * paper[2] * 0.86)).toBeGreaterThan(0.85);
    expect(result.paperWhite[2] / (255 * paper[2] * 0.86)).toBeLessThan(0.95);
    expect(result.meanError).toBeLessThan(2);
  });

  it('reads a chart photographed upside down through a mirroring webcam', async () => {
    const turned = await syntheticChartPhoto({
      palette: defaultPalette(),
      printer,
      gains: [1, 1, 1],
      noise: 3,
      // Page TL lands bottom-left, TR bottom-right...: turned 180 degrees and mirrored left-right.
      pageCorners: [
        [240, 905],
        [1040, 920],
        [1090, 50],
        [200, 70],
      ],
      width: 1280,
      height: 960,
      seed: 8,
      dir,
    });
    const result = await calibrateImage(turned.jpeg, { label: 'turned.jpg' });
    expect(result.mirrored).toBe(true);
    result.markers.forEach(([x, y], i) => expect(Math.hypot(x - turned.markers[i][0], y - turned.markers[i][1])).toBeLessThan(3));
    const palette = defaultPalette();
    expect(meanError255(applyPrinterModel(result.palette.model, palette.colors), truth(palette.colors))).toBeLessThan(3);
  });

  it('says how many markers it found when the photo cuts some off', async () => {
    const cropped = await sharp(straight.jpeg).extract({ left: 0, top: 0, width: 1280, height: 560 }).jpeg().toBuffer();
    await expect(calibrateImage(cropped, { label: 'cropped.jpg' })).rejects.toThrow(/cropped\.jpg: found 2 of the chart's 4 corner markers/);
  });

  it('patchlab calibrate saves the palette with its model, which loadPalette then returns', () => {
    const home = join(dir, 'cli-home');
    const result = runPatchlab(['calibrate', join(dir, 'photo.jpg'), '--name', 'office-inkjet'], { PATCHLAB_HOME: home });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/found the 4 markers/);
    expect(result.stdout).toMatch(/95 swatches/);
    expect(result.stdout).toMatch(/saved palette office-inkjet: .*cli-home\/palettes\/office-inkjet\.json/);
    process.env.PATCHLAB_HOME = home;
    const palette = loadPalette('office-inkjet');
    expect(palette.measured).toHaveLength(3 * 95);
    expect(palette.printable).toBe(palette.measured);
    expect(palette.calibration?.photo).toBe('photo.jpg');
    expect(meanError255(applyPrinterModel(palette.model, palette.colors), truth(palette.colors))).toBeLessThan(3);
  });
});
