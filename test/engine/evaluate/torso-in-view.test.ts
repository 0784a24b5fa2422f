import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPhysicalAttack } from '../../../src/engine/attacks/physical/run';
import { evaluateRun, TORSO_IN_VIEW, type EvalReport } from '../../../src/engine/evaluate/evaluate';
import { writeManifest, type SceneManifest, type StoredObject } from '../../../src/engine/scenes/manifest';
import { tempDir } from '../../helpers/paths';
import { toyConfig } from '../../helpers/toy-config';
import { toyDetector } from '../../helpers/toy-detector';

const SIZE = 128;
const UPPER = [20, 12, 44, 60] as const;
const LOWER = [80, 70, 104, 118] as const;

/** 17 MoveNet keypoints, unsure except the shoulders (5, 6) and, when given, the hips (11, 12). */
function pose(shoulders: [number, number, number, number], hips?: [number, number, number, number]): [number, number, number][] {
  const k: [number, number, number][] = Array.from({ length: 17 }, () => [0, 0, 0]);
  k[5] = [shoulders[0], shoulders[1], 0.9];
  k[6] = [shoulders[2], shoulders[3], 0.9];
  if (hips) {
    k[11] = [hips[0], hips[1], 0.9];
    k[12] = [hips[2], hips[3], 0.9];
  }
  return k;
}

/**
 * Scenes of two toy persons: one whose chest is well inside the photo, and one standing at the
 * bottom edge whose shoulders are the last thing in the frame (a talking head's chest), as a
 * scene set with the boxes and keypoints stored, so no detector or pose model runs.
 */
async function writeSet(home: string, scenes: number): Promise<void> {
  const dir = join(home, 'scenes', 'edge');
  mkdirSync(dir, { recursive: true });
  const manifest: SceneManifest = { version: 1, name: 'edge', seed: 1, fractions: { train: 1, val: 0, test: 0 }, sources: {}, scenes: [], detector: { model: 'toy-detector', hash: toyDetector().hash, class: 'person', minScore: 0.5, pose: { model: 'movenet', hash: 'stored' } } };
  for (let s = 0; s < scenes; s++) {
    const data = Buffer.alloc(SIZE * SIZE * 3, 128 + s);
    for (const [x0, y0, x1, y1] of [UPPER, LOWER]) {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data.set([220, 50, 50], (y * SIZE + x) * 3);
    }
    const file = `scene${s}.png`;
    const bytes = await sharp(data, { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toBuffer();
    await sharp(bytes).toFile(join(dir, file));
    const objects: StoredObject[] = [
      { box: [...UPPER], score: 0.9, keypoints: pose([24, 20, 40, 20], [26, 45, 38, 45]) },
      { box: [...LOWER], score: 0.9, keypoints: pose([84, 124, 100, 124]) },
    ];
    manifest.sources[file] = { kind: 'file', path: file, split: 'train', pinned: false };
    manifest.scenes.push({ file, source: file, width: SIZE, height: SIZE, sha256: createHash('sha256').update(bytes).digest('hex'), dhash: '0'.repeat(16), objects });
  }
  writeManifest(manifest);
}

const previousHome = process.env.PATCHLAB_HOME;
let run: string;

beforeAll(async () => {
  const home = tempDir('patchlab-torso-eval-');
  process.env.PATCHLAB_HOME = home;
  await writeSet(home, 3);
  run = join(home, 'run');
  await runPhysicalAttack(toyConfig('set:edge', { placement: { kind: 'detect', on: 'torso' }, steps: 3, size: 0.3 }), run, { target: toyDetector(), previewEvery: 0 });
});

afterAll(() => {
  if (previousHome === undefined) delete process.env.PATCHLAB_HOME;
  else process.env.PATCHLAB_HOME = previousHome;
});

const evaluate = (out: string, minVisible?: number): Promise<EvalReport> => evaluateRun(run, { scenes: 'set:edge', views: 2, out, ...(minVisible ? { minVisible } : {}) }, { target: toyDetector() });
const objects = (r: EvalReport): number => r.perScene.reduce((n, s) => n + s.objects, 0);

describe('evaluating a torso print', () => {
  it('scores everyone by default and says how many cannot wear the print in view', async () => {
    const out = tempDir();
    const r = await evaluate(out);
    expect(objects(r)).toBe(6);
    const note = r.notes.find((n) => n.startsWith('chest in view:')) ?? '';
    expect(note).toMatch(new RegExp(`^chest in view: 3 of 6 person\\(s\\) have less than half of their patch inside the photo .* --min-visible ${TORSO_IN_VIEW} `));
    expect(JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')).notes).toContain(note);
  });

  it(`--min-visible ${TORSO_IN_VIEW} leaves out exactly those people`, async () => {
    const r = await evaluate(tempDir(), TORSO_IN_VIEW);
    expect(objects(r)).toBe(3);
    expect(r.notes.join('\n')).toMatch(/--min-visible 0.5: 3 of 6 person\(s\) left out/);
    expect(r.notes.join('\n')).not.toMatch(/^chest in view:/m);
  });
});
