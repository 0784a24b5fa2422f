import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityPhotos, calibrateOnPhotos } from '../../../src/engine/faces/calibrate';
import { loadCalibration, matchThreshold, saveCalibration } from '../../../src/engine/faces/calibration-store';
import { enrolGallery, listGalleries, loadGallery } from '../../../src/engine/faces/gallery';
import type { FaceModels } from '../../../src/engine/faces/embed';
import { tempDir } from '../../helpers/paths';
import { toyFaceDescriptor, toyFaceDetector, writeToyFaces } from '../../helpers/toy-faces';

let root: string;
let people: string;
const saved = process.env.PATCHLAB_HOME;
const models: FaceModels = { descriptor: toyFaceDescriptor(), detect: toyFaceDetector };

/** Three "photos" of each toy person: as drawn, darker and brighter (what changes between photos). */
async function writePeople(dir: string, count: number): Promise<string[]> {
  const base = join(dir, '..', 'base');
  mkdirSync(base, { recursive: true });
  const files = await writeToyFaces(base, count);
  for (const [i, file] of files.entries()) {
    for (const [k, [split, gain]] of ([['train', 1], ['train', 0.8], ['probe', 1.15]] as const).entries()) {
      mkdirSync(join(dir, `p${i}`, split), { recursive: true });
      await sharp(file).linear(gain, 0).png().toFile(join(dir, `p${i}`, split, `photo${k}.png`));
    }
  }
  return files;
}

beforeAll(async () => {
  root = tempDir('patchlab-faces-');
  process.env.PATCHLAB_HOME = join(root, 'home');
  people = join(root, 'people');
  await writePeople(people, 4);
});

afterAll(() => {
  if (saved === undefined) delete process.env.PATCHLAB_HOME;
  else process.env.PATCHLAB_HOME = saved;
});

describe('galleries', () => {
  it('enrols the largest face of each photo, saves it, and lists it', async () => {
    const photos = identityPhotos(people).get('p1') ?? [];
    const gallery = await enrolGallery('p1', photos, models);
    expect(gallery.entries).toHaveLength(3);
    expect(gallery.entries[0].embedding).toHaveLength(48);
    expect(gallery.modelHash).toBe('toy-faces-v1');
    expect(loadGallery('p1').entries.map((e) => e.source)).toEqual(photos);
    await enrolGallery('p2', identityPhotos(people).get('p2') ?? [], models);
    expect(listGalleries().map((g) => g.name)).toEqual(['p1', 'p2']);
  });

  it('leaves out photos without a face and refuses bad names and unknown galleries', async () => {
    const photos = identityPhotos(people).get('p3') ?? [];
    const picky: FaceModels = { ...models, detect: async (image) => (image.data[0] < 200 ? [] : toyFaceDetector(image)) };
    // The darker photo's corner is below 200: the picky detector finds no face in it.
    const corner = await Promise.all(photos.map(async (p) => (await sharp(p).raw().toBuffer())[0]));
    expect(corner.map((v) => v < 200)).toEqual([false, false, true]);
    const notes: string[] = [];
    const gallery = await enrolGallery('p3', photos, picky, { onNote: (m) => notes.push(m) });
    expect(gallery.entries).toHaveLength(2);
    expect(gallery.skipped).toEqual([photos[2]]);
    expect(notes[0]).toMatch(/no face found; left out/);
    await expect(enrolGallery('../x', photos, models)).rejects.toThrow(/gallery name '..\/x'/);
    expect(() => loadGallery('nobody')).toThrow(/no gallery 'nobody'/);
  });
});

describe('calibration on real pairs', () => {
  it('reads one folder per person, optionally only some splits', () => {
    const all = identityPhotos(people);
    expect([...all.keys()].sort()).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(all.get('p0')).toHaveLength(3);
    expect(identityPhotos(people, ['train']).get('p0')).toHaveLength(2);
    expect(() => identityPhotos(join(people, 'p0', 'train'))).toThrow(/at least 2 people/);
    expect(() => identityPhotos(join(people, 'nowhere'))).toThrow(/not a folder/);
  });

  it('sets each threshold from the different-person pairs and reports the same-person pairs it accepts', async () => {
    const c = await calibrateOnPhotos(people, models, { fmrs: [0.1, 0.01] });
    expect([c.identities, c.photos, c.genuinePairs, c.impostorPairs]).toEqual([4, 12, 12, 54]);
    const [p10, p1] = c.points;
    // 54 pairs resolve 10% (5 may reach it) but not 1%: that one comes from the normal fit.
    expect(p10.from).toBe('empirical');
    expect(p10.measuredFmr).toBeLessThanOrEqual(0.1);
    expect(p1.from).toBe('normal-fit');
    // Brightness alone leaves the toy descriptor's direction nearly unchanged: every genuine pair is accepted.
    expect(p10.tmr).toBe(1);

    saveCalibration(c);
    expect(loadCalibration('toy-faces-v1')?.points).toHaveLength(2);
    // Only a stored FMR-1% point replaces a model's manifest threshold.
    expect(matchThreshold('toy-faces-v1', 0.9)).toBeCloseTo(p1.threshold, 9);
    expect(matchThreshold('another-model', 0.9)).toBe(0.9);
  });
});
