/**
 * Writes the face-crop fixtures (test/fixtures/images/faces/): the best face of four group
 * photos, aligned as the face models expect (blazeface box x1.4, squared) at 224x224.
 *
 *   npx tsx scripts/make-face-crops.ts
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, writeImage } from '../src/engine/image/image';
import { alignFace, detectFaces } from '../src/engine/models/faces';
import { packageRoot } from '../src/engine/paths';

const images = join(packageRoot(), 'test/fixtures/images');
mkdirSync(join(images, 'faces'), { recursive: true });
for (const group of [1, 3, 5, 6]) {
  const image = await decodeImage(join(images, `group${group}.jpg`));
  const [face] = await detectFaces(image);
  const out = join(images, 'faces', `group${group}-face.jpg`);
  await writeImage(out, alignFace(image, face, 224).crop, 90);
  console.log(`${out}: score ${face.score.toFixed(3)}`);
}
