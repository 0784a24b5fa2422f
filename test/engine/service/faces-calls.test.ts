import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { saveCalibration } from '../../../src/engine/faces/calibration-store';
import { loadGallery } from '../../../src/engine/faces/gallery';
import { loadModel } from '../../../src/engine/models/loaded';
import { FacesEvalSummary, parseParams, parseResult } from '../../../src/shared/index';
import { pathLikeReference } from '../../../src/shared/references';
import { imageFixture } from '../../helpers/paths';
import { jobEnded, serviceInFreshHome } from '../../helpers/jobs';

const face = (name: string) => imageFixture(join('faces', name));
const jpeg = (file: string, gain = 1) => sharp(file).linear(gain, 0).jpeg({ quality: 92 }).toBuffer();

// The Webcam screen's enrolment and the Evaluate screen's galleries and probe evaluation, through the contract.
describe('face galleries over the API', () => {
  const ctx = serviceInFreshHome('patchlab-faces-calls-', () => undefined);

  it('enrols captured frames into a gallery the CLI reads, and lists it with the threshold in use', async () => {
    const frames = [{ name: 'a.jpg', bytes: await jpeg(face('group1-face.jpg')) }, { name: 'b.jpg', bytes: await jpeg(face('group1-face.jpg'), 0.85) }, { name: 'empty.png', bytes: await sharp({ create: { width: 96, height: 96, channels: 3, background: '#808080' } }).png().toBuffer() }];
    const enrolled = parseResult('enrolFaces', await ctx.service.call('enrolFaces', { name: 'alice', frames }));
    expect(enrolled.gallery).toMatchObject({ name: 'alice', model: 'faceres', faces: 2, skipped: 1 });
    expect(enrolled.skipped).toEqual(['frame-003.jpg']);
    // Same storage as `patchlab faces enrol`: the gallery file, its sources kept beside it.
    const gallery = loadGallery('alice');
    expect(gallery.entries).toHaveLength(2);
    for (const e of gallery.entries) expect(existsSync(e.source), e.source).toBe(true);

    await ctx.service.call('enrolFaces', { name: 'bob', frames: [{ name: 'c.jpg', bytes: await jpeg(face('group3-face.jpg')) }] });
    const listed = parseResult('listGalleries', await ctx.service.call('listGalleries', {}));
    expect(listed.galleries.map((g) => [g.name, g.faces])).toEqual([['alice', 2], ['bob', 1]]);
    expect(listed.threshold.model).toBe('faceres');
    expect(listed.threshold.calibration).toBeUndefined();
    expect(listed.threshold.threshold).toBe(listed.threshold.manifest);

    // A calibration stored for this descriptor becomes the threshold in use (FMR 1%).
    const faceres = await loadModel('faceres');
    saveCalibration({ model: 'faceres', modelHash: faceres.hash, measured: '2026-01-01T00:00:00Z', source: 'x', identities: 8, photos: 40, genuinePairs: 80, impostorPairs: 700, points: [{ fmr: 0.01, threshold: 0.61, from: 'empirical', empirical: 0.61, normalFit: 0.6, tmr: 0.79, measuredFmr: 0.01 }, { fmr: 0.001, threshold: 0.7, from: 'normal-fit', empirical: 0.68, normalFit: 0.7, tmr: 0.5, measuredFmr: 0 }] });
    const calibrated = parseResult('listGalleries', await ctx.service.call('listGalleries', {}));
    expect(calibrated.threshold.threshold).toBe(0.61);
    expect(calibrated.threshold.calibration?.points.map((p) => p.fmr)).toEqual([0.01, 0.001]);
  }, 120_000);

  it('enrolling the same name again replaces the gallery and its captured frames; a bad frame is refused and leaves nothing', async () => {
    await ctx.service.call('enrolFaces', { name: 'bob', frames: [{ name: 'c.jpg', bytes: await jpeg(face('group3-face.jpg'), 1.1) }, { name: 'd.jpg', bytes: await jpeg(face('group3-face.jpg'), 0.9) }] });
    expect(loadGallery('bob').entries).toHaveLength(2);
    expect(readdirSync(join(ctx.home, 'galleries', 'bob')).filter((d) => d.startsWith('webcam-'))).toHaveLength(1);
    await expect(ctx.service.call('enrolFaces', { name: 'carol', frames: [{ name: 'x.jpg', bytes: new Uint8Array([1, 2, 3]) }] })).rejects.toThrow(/x\.jpg/);
    expect(existsSync(join(ctx.home, 'galleries', 'carol'))).toBe(false);
    await expect(ctx.service.call('enrolFaces', { name: 'nobody', frames: [{ name: 'grey.png', bytes: await sharp({ create: { width: 64, height: 64, channels: 3, background: '#777' } }).png().toBuffer() }] })).rejects.toThrow(/no face found/);
    expect(existsSync(join(ctx.home, 'galleries', 'nobody'))).toBe(false);
    // Longer than a gallery name may be: the engine's one-line refusal, and nothing left behind.
    const long = 'n'.repeat(70);
    await expect(ctx.service.call('enrolFaces', { name: long, frames: [{ name: 'c.jpg', bytes: await jpeg(face('group3-face.jpg')) }] })).rejects.toThrow(/gallery name/);
    expect(existsSync(join(ctx.home, 'galleries', long))).toBe(false);
  }, 120_000);

  it('refuses gallery names that are paths and descriptors that are not face models', () => {
    expect(() => parseParams('enrolFaces', { name: '../x', frames: [{ name: 'a.jpg', bytes: new Uint8Array(1) }] })).toThrow(/name/);
    expect(() => parseParams('enrolFaces', { name: 'x', frames: [{ name: 'a/b.jpg', bytes: new Uint8Array(1) }] })).toThrow(/without folders/);
    expect(() => parseParams('startJob', { kind: 'evaluateFaces', params: { run: 'r', probes: { set: '/etc' }, wearer: 'a' } })).toThrow(/probes\.set/);
    expect(() => parseParams('startJob', { kind: 'evaluateFaces', params: { run: 'r', probes: { set: 's', split: 'holdout' }, wearer: 'a' } })).toThrow(/split/);
    // Over the wire, a model given as a path is refused before the engine sees it (as for every call).
    expect(pathLikeReference({ kind: 'trial', params: { model: '/tmp/x.onnx', className: 'person' } })).toBe("params.model: '/tmp/x.onnx'");
    expect(pathLikeReference({ image: new Uint8Array(1), model: '../m.onnx' })).toBe("model: '../m.onnx'");
    return expect(ctx.service.call('listGalleries', { model: 'centernet' })).rejects.toThrow(/not a face descriptor/);
  }, 60_000);

  it('evaluates eyeglass frames on a probe split against the galleries, beside noise, plain and clean', async () => {
    // A finished dodging run: any frame texture will do for the mechanics.
    const run = join(ctx.home, 'runs', 'glasses-run');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'run.json'), JSON.stringify({ kind: 'attack/glasses', config: { attack: 'glasses', model: 'faceres', goal: 'dodge', scenes: 'x' } }));
    await sharp({ create: { width: 224, height: 76, channels: 4, background: '#c8a040' } }).png().toFile(join(run, 'patch.png'));
    // Probe photos of alice as a managed set, pinned to test.
    // (Mirrored, so the set's near-duplicate check keeps both.)
    const probes = [{ name: 'p0.jpg', bytes: await jpeg(face('group1-face.jpg'), 0.9) }, { name: 'p1.jpg', bytes: await sharp(face('group1-face.jpg')).flop().jpeg().toBuffer() }];
    const recorded = parseResult('recordScenes', await ctx.service.call('recordScenes', { kind: 'frames', set: 'alice-probes', split: 'test', frames: probes }));
    expect(recorded.added).toBe(2);
    const { job } = parseResult('startJob', await ctx.service.call('startJob', { kind: 'evaluateFaces', params: { run: 'glasses-run', probes: { set: 'alice-probes', split: 'test' }, wearer: 'alice' } }));
    const ended = await jobEnded(ctx.events, job.id);
    expect(ended.error).toBeUndefined();
    expect(ended.state).toBe('done');
    const rates = ended.result?.rates as Record<string, { success: number }>;
    expect(Object.keys(rates)).toEqual(['frames', 'noise frames', 'plain frames', 'clean']);
    // The clean probes are alice: found and accepted as her, so nothing is dodged.
    expect(rates.clean.success).toBe(0);
    const written = FacesEvalSummary.parse(JSON.parse(readFileSync(join(run, 'faces-eval.json'), 'utf8')));
    expect(written.probes).toBe(2);
    expect(written.galleries.sort()).toEqual(['alice', 'bob']);
    // No such split: a clear error from the engine.
    const { job: bad } = parseResult('startJob', await ctx.service.call('startJob', { kind: 'evaluateFaces', params: { run: 'glasses-run', probes: { set: 'alice-probes', split: 'val' }, wearer: 'alice' } }));
    expect((await jobEnded(ctx.events, bad.id)).error).toMatch(/no val scenes/);
  }, 180_000);
});
