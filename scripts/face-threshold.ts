/**
 * Measures faceres's same/different-identity cosine similarities on the sample group photos
 * (test/fixtures/images/group1..6: one photo per person, 21 people). Same-identity pairs come
 * from mild augmentations of each face (mirror, re-crop with other margins and offsets,
 * brightness); different-identity pairs are all pairs of distinct faces. Prints both
 * distributions and the threshold that separates them best.
 *
 *   npx tsx scripts/face-threshold.ts
 */
import { join } from 'node:path';
import { decodeImage, type RasterImage } from '../src/engine/image/image';
import { detectFaces, embedFace, faceSimilarity } from '../src/engine/models/faces';
import { loadModel } from '../src/engine/models/loaded';
import { packageRoot } from '../src/engine/paths';
import { faceVariants } from './face-variants';
import { closeSharedSessionWorkers } from '../src/engine/onnx/session-workers/pool';

async function main(): Promise<void> {
  const faceres = await loadModel('faceres');
  const people: Float32Array[][] = [];
  for (let g = 1; g <= 6; g++) {
    const image: RasterImage = await decodeImage(join(packageRoot(), 'test/fixtures/images', `group${g}.jpg`));
    for (const face of await detectFaces(image)) {
      const variants = faceVariants(image, face, 224).map((v) => v.image);
      const descriptors: Float32Array[] = [];
      for (const v of variants) descriptors.push((await embedFace(v, faceres)).descriptor);
      people.push(descriptors);
    }
  }
  const same: number[] = [];
  const different: number[] = [];
  people.forEach((p, i) => {
    for (let a = 0; a < p.length; a++) for (let b = a + 1; b < p.length; b++) same.push(faceSimilarity(p[a], p[b]));
    for (let j = i + 1; j < people.length; j++) different.push(faceSimilarity(p[0], people[j][0]));
  });
  const stats = (v: number[]) => {
    const s = [...v].sort((x, y) => x - y);
    const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * s.length))];
    return `n=${s.length} min ${s[0].toFixed(3)} p5 ${q(0.05).toFixed(3)} median ${q(0.5).toFixed(3)} p95 ${q(0.95).toFixed(3)} max ${s[s.length - 1].toFixed(3)}`;
  };
  let best = { t: 0, errors: Infinity };
  for (let t = 0; t <= 1; t += 0.005) {
    const errors = same.filter((x) => x < t).length + different.filter((x) => x >= t).length;
    if (errors < best.errors) best = { t, errors };
  }
  console.log(`faces: ${people.length}`);
  console.log(`same identity (augmented pairs): ${stats(same)}`);
  console.log(`different identity:              ${stats(different)}`);
  console.log(`best threshold ${best.t.toFixed(3)}: ${best.errors} of ${same.length + different.length} pairs misjudged`);
  console.log(`gap: min same ${Math.min(...same).toFixed(3)} vs max different ${Math.max(...different).toFixed(3)}`);
}

await main();
// Session workers run from sources keep the process alive; the script is done.
await closeSharedSessionWorkers();
