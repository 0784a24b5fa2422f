import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { alphaOf, ringArea, traceMask } from '../../../src/engine/print/contour';
import { growMask } from '../../../src/engine/print/print-image';
import { readPatchSource, runInfo } from '../../../src/engine/print/source';
import { tempDir } from '../../helpers/paths';

describe('run.json, read defensively', () => {
  it('takes the fields where the attack writes them, or in a nested config', () => {
    expect(runInfo({ kind: 'glasses', model: 'faceres', goal: 'dodge', target: 'alice', runId: 'r1', date: '2025-01-02', shape: 'glasses' })).toEqual({
      kind: 'glasses',
      shape: 'glasses',
      model: 'faceres',
      goal: 'dodge',
      target: 'alice',
      runId: 'r1',
      date: '2025-01-02',
    });
    expect(runInfo({ config: { attack: 'glasses', shape: { kind: 'eyeglasses', frame: 'thick' } } })).toMatchObject({ kind: 'glasses', frame: 'thick' });
    // run.json as the run store writes it: kind 'attack/glasses', the model as an object, the frame scale in config.size.
    const record = { id: 'glasses-2026', kind: 'attack/glasses', created: '2026-11-27T10:00:00Z', config: { attack: 'glasses', goal: 'impersonate', target: 'them.png', shape: { kind: 'eyeglasses', frame: 'thick' }, size: 1.2 }, model: { name: 'faceres', hash: 'abc' } };
    expect(runInfo(record)).toEqual({ kind: 'glasses', frame: 'thick', frameScale: 1.2, model: 'faceres', goal: 'impersonate', target: 'them.png', runId: 'glasses-2026', date: '2026-11-27T10:00:00Z' });
    expect(runInfo({ config: { attack: 'glasses', shape: { kind: 'eyeglasses' } } }).frame).toBeUndefined();
    expect(runInfo({ id: 'abc', createdAt: '2025', config: { attack: 'Sticker', model: { name: 'centernet', hash: 'x' }, class: 'dog', shape: { kind: 'circle', radius: 3 } } })).toMatchObject({
      kind: 'sticker',
      shape: 'circle',
      model: 'centernet',
      target: 'dog',
      runId: 'abc',
      date: '2025',
    });
  });

  it('falls back to a plain patch when fields are missing or odd', () => {
    expect(runInfo(undefined)).toEqual({ kind: 'patch', shape: undefined, model: undefined, goal: undefined, target: undefined, runId: undefined, date: undefined });
    expect(runInfo({ kind: 42, shape: 'hexagon', model: ['a', 'b'] })).toMatchObject({ kind: 'patch', shape: undefined, model: 'a, b' });
    expect(runInfo({ kind: 'patch' }, 'glasses').kind).toBe('glasses');
    expect(runInfo({ shape: 'square' }).shape).toBe('rect');
  });
});

describe('readPatchSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    mkdirSync(join(dir, 'run'));
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } }).png().toFile(join(dir, 'run', 'patch.png'));
    writeFileSync(join(dir, 'run', 'run.json'), '{ not json');
    mkdirSync(join(dir, 'empty-run'));
    await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toFile(join(dir, 'clear.png'));
  });

  it('prints patch.png without its details when run.json is unreadable, and says so', async () => {
    const source = await readPatchSource(join(dir, 'run'));
    expect(source.opaque).toBe(true);
    expect(source.info.kind).toBe('patch');
    expect(source.warnings.join()).toMatch(/run\.json: unreadable/);
  });

  it('names what is wrong with the input', async () => {
    await expect(readPatchSource(join(dir, 'nowhere'))).rejects.toThrow(/nowhere: no such file or run directory/);
    await expect(readPatchSource(join(dir, 'empty-run'))).rejects.toThrow(/empty-run: not a run directory \(no patch\.png in it\)/);
    await expect(readPatchSource(join(dir, 'clear.png'))).rejects.toThrow(/clear\.png: the image is fully transparent/);
  });
});

describe('bleed for masked patches', () => {
  it('grows the mask by the bleed radius and fills it with the nearest mask colour', () => {
    // A 4x4 mask in an 12x12 image: left half red, right half blue.
    const W = 12;
    const data = new Uint8Array(W * W * 4);
    for (let y = 4; y < 8; y++) for (let x = 4; x < 8; x++) data.set(x < 6 ? [255, 0, 0, 255] : [0, 0, 255, 255], 4 * (y * W + x));
    const grown = growMask({ width: W, height: W, channels: 4, data }, 3);
    expect([grown.width, grown.height]).toEqual([18, 18]);
    const at = (x: number, y: number): number[] => Array.from(grown.data.subarray(4 * (y * 18 + x), 4 * (y * 18 + x) + 4));
    // The mask now starts 3 px further out (x = 4 + 3 padding - 3 grown = 4), coloured like its edge.
    expect(at(4, 8)).toEqual([255, 0, 0, 255]);
    expect(at(13, 8)).toEqual([0, 0, 255, 255]);
    expect(at(2, 8)[3]).toBe(0); // beyond the bleed
    // Corners grow round, not square: 3 px diagonally out from the mask corner is beyond sqrt(2)*3.
    expect(at(4, 4)[3]).toBe(0);
    expect(at(5, 5)[3]).toBeGreaterThan(0);
    // The original pixels are untouched.
    expect(at(7, 7)).toEqual([255, 0, 0, 255]);
  });
});

describe('traceMask', () => {
  it('returns the outer outline and each hole, at sub-pixel precision', () => {
    const W = 40;
    const alpha = new Uint8Array(W * W);
    for (let y = 5; y < 35; y++) for (let x = 5; x < 35; x++) alpha[y * W + x] = x >= 15 && x < 25 && y >= 15 && y < 25 ? 0 : 255;
    const rings = traceMask(alpha, W, W, { tolerance: 0.1 });
    expect(rings).toHaveLength(2);
    const areas = rings.map((r) => Math.abs(ringArea(r))).sort((a, b) => a - b);
    // Pixel-edge outlines with half-pixel corner cuts: 10x10 - 4 * 0.125 and 30x30 - 4 * 0.125.
    expect(areas[0]).toBeCloseTo(100 - 0.5, 6);
    expect(areas[1]).toBeCloseTo(900 - 0.5, 6);
    const xs = rings.flat().map(([x]) => x);
    expect(Math.min(...xs)).toBe(5);
    expect(Math.max(...xs)).toBe(35);
  });

  it('drops specks smaller than minArea', () => {
    const alpha = new Uint8Array(20 * 20);
    alpha[10 * 20 + 10] = 255;
    expect(traceMask(alpha, 20, 20, { minArea: 4 })).toEqual([]);
    expect(alphaOf(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))).toEqual(Uint8Array.of(4, 8));
  });
});
