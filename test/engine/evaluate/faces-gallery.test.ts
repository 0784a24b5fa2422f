import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPhysicalAttack } from '../../../src/engine/attacks/physical/run';
import { evaluateOnGallery } from '../../../src/engine/evaluate/faces-gallery';
import type { FaceModels } from '../../../src/engine/faces/embed';
import { enrolGallery } from '../../../src/engine/faces/gallery';
import { decodeImage } from '../../../src/engine/image/image';
import { tempDir } from '../../helpers/paths';
import { toyFaceDescriptor, toyFaceDetector, writeToyFaces } from '../../helpers/toy-faces';

let root: string;
let run: string;
let probes: string;
const saved = process.env.PATCHLAB_HOME;
const descriptor = toyFaceDescriptor();
const models: FaceModels = { descriptor, detect: toyFaceDetector };

beforeAll(async () => {
  root = tempDir('patchlab-faces-eval-');
  process.env.PATCHLAB_HOME = join(root, 'home');
  const faces = join(root, 'faces');
  mkdirSync(faces);
  const [wearer, other] = await writeToyFaces(faces, 2);
  // Probe photos of the wearer: the photo a little darker and brighter (never enrolled, never trained on).
  probes = join(root, 'probes');
  mkdirSync(probes);
  for (const gain of [0.9, 1.1]) await sharp(wearer).linear(gain, 0).png().toFile(join(probes, `wearer-${gain}.png`));
  await enrolGallery('wearer', [wearer], models);
  await enrolGallery('other', [other], models);
  run = join(root, 'run');
  await runPhysicalAttack({ attack: 'glasses', model: 'toy-faces', goal: 'dodge', scenes: wearer, resolution: 64, steps: 2, batch: 2, exportSize: 128, sampleCount: 2 }, run, { target: descriptor, faceDetector: toyFaceDetector, previewEvery: 0 });
});

afterAll(() => {
  if (saved === undefined) delete process.env.PATCHLAB_HOME;
  else process.env.PATCHLAB_HOME = saved;
});

describe('eyeglass frames judged against galleries', () => {
  it('identifies each probe against every gallery beside noise and plain frames, and writes the report', async () => {
    const r = await evaluateOnGallery(run, { probes, wearer: 'wearer' }, models);
    expect(r.probes).toBe(2);
    expect(r.galleries.sort()).toEqual(['other', 'wearer']);
    expect(r.threshold).toBe(0.9);
    // The clean probes are the wearer: found, rank-1 and accepted, so nothing is dodged.
    expect(r.rates.clean).toEqual({ success: 0, notDetected: 0, rank1Wearer: 1 });
    expect(r.variants.clean.meanWearerSimilarity).toBeGreaterThan(0.95);
    for (const v of ['frames', 'noise frames', 'plain frames'] as const) expect(r.variants[v].verdicts.every((p) => p.detected)).toBe(true);
    // Drawn frames change what the descriptor sees.
    expect(r.variants['noise frames'].meanWearerSimilarity).toBeLessThan(r.variants.clean.meanWearerSimilarity);
    for (const f of r.files) expect(existsSync(f), f).toBe(true);
    expect(readdirSync(join(run, 'faces-eval-views')).sort()).toEqual(['frames', 'noise-frames', 'plain-frames'].flatMap((v) => [`wearer-0.9-${v}.jpg`, `wearer-1.1-${v}.jpg`]).sort());
  });

  it('counts a view whose face the detector no longer finds as not detected, never as a success', async () => {
    // A detector that finds faces only in the unaltered probe photos.
    const originals = new Set<string>();
    for (const f of readdirSync(probes)) originals.add(createHash('sha1').update((await decodeImage(join(probes, f))).data).digest('hex'));
    const picky: FaceModels = { descriptor, detect: async (image) => (originals.has(createHash('sha1').update(image.data).digest('hex')) ? toyFaceDetector(image) : []) };
    const r = await evaluateOnGallery(run, { probes, wearer: 'wearer', out: join(root, 'picky') }, picky);
    for (const v of ['frames', 'noise frames', 'plain frames'] as const) expect(r.rates[v]).toEqual({ success: 0, notDetected: 1, rank1Wearer: 0 });
    expect(r.rates.clean.notDetected).toBe(0);
  });

  it('refuses a missing run folder or probe photo with one line', async () => {
    await expect(evaluateOnGallery(join(root, 'nowhere'), { probes, wearer: 'wearer' }, models)).rejects.toThrow(/needs a run folder/);
    await expect(evaluateOnGallery(run, { probes: join(root, 'faces', 'missing.png'), wearer: 'wearer' }, models)).rejects.toThrow(/--probes: no such file/);
  });
});
