import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPalette, identityPrinterModel, isIdentityPrinterModel, listPalettes, loadPalette, savePalette } from '../../../src/engine/color';
import { deltaE76, srgbToLab } from '../../../src/engine/color/colorimetry';
import { tempDir } from '../../helpers/paths';

let home: string;
const previousHome = process.env.PATCHLAB_HOME;

beforeEach(() => {
  home = tempDir();
  process.env.PATCHLAB_HOME = home;
});

afterEach(() => {
  if (previousHome === undefined) delete process.env.PATCHLAB_HOME;
  else process.env.PATCHLAB_HOME = previousHome;
});

describe('palettes', () => {
  it('ships a default palette of distinct printable colours with an identity model', () => {
    const palette = defaultPalette();
    expect(palette.name).toBe('default');
    expect(palette.count).toBeGreaterThanOrEqual(60);
    expect(palette.count).toBeLessThanOrEqual(130);
    expect(palette.colors).toHaveLength(3 * palette.count);
    expect(palette.printable).toBe(palette.colors);
    expect(isIdentityPrinterModel(palette.model)).toBe(true);
    const labs = Array.from({ length: palette.count }, (_, i) => srgbToLab([palette.colors[3 * i], palette.colors[3 * i + 1], palette.colors[3 * i + 2]]));
    let closest = Infinity;
    for (let i = 0; i < labs.length; i++) for (let j = 0; j < i; j++) closest = Math.min(closest, deltaE76(labs[i], labs[j]));
    expect(closest).toBeGreaterThanOrEqual(4);
    // Paper white and the darkest black are in; sRGB's pure blue is not printable and is not.
    const has = (r: number, g: number, b: number): boolean => labs.some((lab) => deltaE76(lab, srgbToLab([r, g, b])) < 1);
    expect(has(1, 1, 1)).toBe(true);
    expect(has(0, 0, 0)).toBe(true);
    expect(has(0, 0, 1)).toBe(false);
  });

  it('saves a calibrated palette under $PATCHLAB_HOME/palettes and loads it back by name', () => {
    const base = defaultPalette();
    const model = identityPrinterModel();
    model.matrix[0] = 0.9;
    model.offset[2] = 0.05;
    const measured = base.colors.map((v) => v * 0.9);
    const path = savePalette({ ...base, measured, printable: measured, model, calibration: { date: '2025-01-01T00:00:00Z', meanError: 1.2, maxError: 4, basePalette: 'default' } }, 'office-laser');
    expect(path).toBe(join(home, 'palettes', 'office-laser.json'));
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/\n {4}\[0, 0, 0\],\n/); // one colour per line
    const loaded = loadPalette('office-laser');
    expect(loaded.name).toBe('office-laser');
    expect(loaded.count).toBe(base.count);
    expect(loaded.measured).toBeDefined();
    expect(loaded.printable).toBe(loaded.measured);
    expect(Math.abs(loaded.measured![5] - measured[5])).toBeLessThan(0.5 / 255 / 100 + 1e-6);
    expect(loaded.model.matrix[0]).toBeCloseTo(0.9, 6);
    expect(loaded.model.offset[2]).toBeCloseTo(0.05, 6);
    expect(loaded.calibration?.meanError).toBe(1.2);
    expect(loadPalette(path).name).toBe('office-laser');
    expect(listPalettes().find((p) => p.name === 'office-laser')).toMatchObject({ builtin: false, calibrated: true });
  });

  it('a user palette named default shadows the built-in for loadPalette, not for defaultPalette', () => {
    savePalette({ ...defaultPalette(), description: 'mine' }, 'default');
    expect(loadPalette('default').description).toBe('mine');
    expect(defaultPalette().description).not.toBe('mine');
  });

  it('names the problem in a bad palette', () => {
    expect(() => loadPalette('nope')).toThrow(/unknown palette 'nope' \(known: default/);
    const dir = join(home, 'palettes');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'bad', colors: [[0, 0, 300]] }));
    expect(() => loadPalette('bad')).toThrow(/bad\.json: not a patchlab palette \(colors\.0\.2:/);
    expect(() => loadPalette(join(home, 'missing.json'))).toThrow(/missing\.json: no such palette file/);
    expect(() => savePalette(defaultPalette(), '../escape')).toThrow(/palette name/);
    expect(existsSync(join(home, 'escape.json'))).toBe(false);
  });

  it('accepts a hand-written palette with only colours', () => {
    const path = join(home, 'mine.json');
    writeFileSync(path, JSON.stringify({ name: 'mine', colors: [[255, 0, 0], [0, 0, 0]] }));
    const palette = loadPalette(path);
    expect(Array.from(palette.colors)).toEqual([1, 0, 0, 0, 0, 0]);
    expect(isIdentityPrinterModel(palette.model)).toBe(true);
  });
});
