/**
 * The 22 faces of the face-api sample group photos (test/fixtures/images/group1..6, 21 people:
 * group1-face1 and group3-face1 are the same woman), each cut out with a face-width margin as
 * its own scene, and their clean faceres descriptors aligned as the glasses attack enrols them.
 * Shared by the eyeglass experiment and the threshold calibration.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FaceDetector } from '../src/engine/attacks/physical/faces';
import { alignedFace, unit } from '../src/engine/attacks/physical/prepare';
import { scenesToPixels } from '../src/engine/attacks/physical/scenes';
import type { AttackTarget } from '../src/engine/attacks/physical/target';
import { decodeImage } from '../src/engine/image/image';

/** Face indices known to show one person (by eye; faceres gives them 0.66), as `--same-person` spells them. */
export const SAME_PERSON = '1:7';

/** Writes group<G>-face<K>.png into `dir` (once) and returns their paths in a fixed order. */
export async function groupFaceFiles(detect: FaceDetector, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let g = 1; g <= 6; g++) {
    const path = join(import.meta.dirname, '../test/fixtures/images', `group${g}.jpg`);
    const image = await decodeImage(path);
    const faces = (await detect(image)).filter((f) => f.score >= 0.5);
    for (const [k, f] of faces.entries()) {
      // The face with a face-width margin on every side: the only face in its scene.
      const [x1, y1, x2, y2] = f.box;
      const m = Math.max(x2 - x1, y2 - y1);
      const left = Math.max(0, Math.round(x1 - m));
      const top = Math.max(0, Math.round(y1 - m));
      const width = Math.min(image.width - left, Math.round(x2 - x1 + 2 * m));
      const height = Math.min(image.height - top, Math.round(y2 - y1 + 2 * m));
      const file = join(dir, `group${g}-face${k}.png`);
      if (!existsSync(file)) await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } }).extract({ left, top, width, height }).png().toFile(file);
      files.push(file);
    }
  }
  return files;
}

/** Unit descriptors of each file's main face, aligned as the attack and its evaluation align them. */
export async function enrolFaces(detect: FaceDetector, files: readonly string[], faceres: AttackTarget): Promise<Float32Array[]> {
  const vectors: Float32Array[] = [];
  for (const f of files) vectors.push(unit((await faceres.predict(scenesToPixels([(await alignedFace(detect, f, faceres)).plane])))[0].embedding));
  return vectors;
}

/** `1:7,3:9` -> a predicate true for i === j and for any two indices in one group. */
export function samePersonPredicate(spec: string): (i: number, j: number) => boolean {
  const groups = spec.split(',').filter(Boolean).map((p) => p.split(':').map(Number));
  return (i, j) => i === j || groups.some((p) => p.includes(i) && p.includes(j));
}
