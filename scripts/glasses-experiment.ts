/**
 * The eyeglass-frame experiment behind BENCHMARKS.md: the face-api group photos hold 21
 * people, one photo each. Every face is cut out (with room around it) as its own scene; for
 * each chosen wearer a dodging run and an impersonation run (target: the next person) are
 * optimised on that one photo and evaluated on views drawn from the training ranges widened
 * 1.5x (there is no second photo of anyone). Needs the zoo (blazeface, faceres).
 *
 *   npx tsx scripts/glasses-experiment.ts OUT_DIR [--first 0] [--wearers 5] [--goals dodge,impersonate] [--steps 100] [--views 24]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { zooFaceDetector } from '../src/engine/attacks/faces';
import { runPhysicalAttack } from '../src/engine/attacks/physical';
import { evaluateRun } from '../src/engine/evaluate/evaluate';
import { decodeImage } from '../src/engine/image/image';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { first: { type: 'string', default: '0' }, goals: { type: 'string', default: 'dodge,impersonate' }, wearers: { type: 'string', default: '5' }, steps: { type: 'string', default: '100' }, views: { type: 'string', default: '24' }, batch: { type: 'string', default: '8' } } });
const out = positionals[0] ?? '/tmp/glasses-experiment';
const facesDir = join(out, 'faces');
mkdirSync(facesDir, { recursive: true });


const detect = await zooFaceDetector();
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
    const file = join(facesDir, `group${g}-face${k}.png`);
    await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } }).extract({ left, top, width, height }).png().toFile(file);
    files.push(file);
  }
}
console.log(`${files.length} faces`);
const first = Number(values.first);
const goals = (values.goals ?? '').split(',') as ('dodge' | 'impersonate')[];
const results: Record<string, unknown>[] = [];
for (let i = first; i < first + Number(values.wearers); i++) {
  const wearer = files[i];
  const target = files[(i + 1) % files.length];
  for (const goal of goals) {
    const run = join(out, `${goal}-${i}`);
    const t0 = performance.now();
    await runPhysicalAttack({ attack: 'glasses', model: 'faceres', goal, scenes: wearer, ...(goal === 'impersonate' ? { target } : {}), steps: Number(values.steps), batch: Number(values.batch) }, run, {});
    const seconds = (performance.now() - t0) / 1000;
    const report = await evaluateRun(run, { scenes: wearer, views: Number(values.views) });
    results.push({ wearer, goal, target: goal === 'impersonate' ? target : undefined, seconds, variants: report.variants });
    console.log(JSON.stringify(results.at(-1)));
  }
}
writeFileSync(join(out, `summary-${first}-${goals.join('+')}.json`), JSON.stringify(results, null, 2));
