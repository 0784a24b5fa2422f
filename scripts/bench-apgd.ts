/**
 * APGD-CE and APGD-DLR beside PGD on the digital benchmark's face crops (every face blazeface
 * finds in test/fixtures/images/group1..6, cropped as bench-digital crops them), with a random
 * noise control: the same L-inf budget and the same number of gradient queries per image, success
 * verified by the model's predict path on the written PNGs. Prints a markdown table.
 *
 *   npx tsx scripts/bench-apgd.ts [--model emotion] [--eps 0.5,1,2] [--steps 10,20] [--out DIR]
 *
 * Nothing is tuned (APGD has no step size; PGD keeps its defaults), so every crop is a test crop.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apgd } from '../src/engine/attacks/digital/apgd';
import { buildAttack, DEFAULT_SETTINGS, type ImageAttackName } from '../src/engine/attacks/digital/catalog';
import { gradientClassifierForModel } from '../src/engine/classifier/model-classifier';
import { runImages, type DigitalAttack, type RunSummary } from '../src/engine/attacks/digital/run-images';
import { decodeImage, writeImage } from '../src/engine/image/image';
import { alignFace, detectFaces } from '../src/engine/models/faces';
import { loadModel } from '../src/engine/models/loaded';
import { packageRoot } from '../src/engine/paths';
import { closeSharedSessionWorkers } from '../src/engine/onnx/session-workers/pool';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const modelName = flag('--model') ?? 'emotion';
const epsLevels = (flag('--eps') ?? '0.5,1,2').split(',').map(Number);
const stepLevels = (flag('--steps') ?? '10,20').split(',').map(Number);
const out = flag('--out') ?? join(tmpdir(), 'patchlab-bench-apgd');

async function faceCrops(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (let group = 1; group <= 6; group++) {
    const image = await decodeImage(join(packageRoot(), `test/fixtures/images/group${group}.jpg`));
    for (const [i, face] of (await detectFaces(image)).entries()) {
      const [x1, y1, x2, y2] = face.box;
      const path = join(dir, `group${group}-face${i + 1}.png`);
      await writeImage(path, alignFace(image, face, Math.round(Math.max(x2 - x1, y2 - y1) * 1.4), { scale: 1.4 }).crop);
      paths.push(path);
    }
  }
  return paths;
}

/** Random L-inf noise on the ball's surface: APGD's start without a single step. */
function noiseControl(eps: number): DigitalAttack {
  return { name: 'noise', run: (input) => apgd(input, { eps, norm: 'linf', steps: 0, loss: 'ce', seed: 0 }), linfBudget: eps, minimumNorm: false, upsample: 'bilinear' };
}

const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '-');

async function main(): Promise<void> {
  const images = await faceCrops(join(out, 'crops'));
  const model = await loadModel(modelName);
  const classifier = await gradientClassifierForModel(model);
  const lines = ['| eps (L-inf) | steps | attack | success (written PNGs) | model queries / image (mean, incl. the check of the written PNG) | s / image (noisy: shared machine) |', '| --- | --- | --- | --- | --- | --- |'];
  for (const e of epsLevels) {
    const eps = e / 255;
    for (const steps of stepLevels) {
      const rows: [string, DigitalAttack][] = [['noise control (random ±eps)', noiseControl(eps)]];
      for (const name of ['pgd', 'apgd-ce', 'apgd-dlr'] as ImageAttackName[]) rows.push([name.toUpperCase(), buildAttack(name, { ...DEFAULT_SETTINGS, eps, steps, seed: 0 })]);
      for (const [label, attack] of rows) {
        const { summary }: { summary: RunSummary } = await runImages({ model, classifier, attack, images, out: join(out, `${modelName}-${e}-${steps}-${attack.name}`), batch: 8, judgeDraws: 1 });
        const line = `| ${e}/255 | ${label.startsWith('noise') ? '-' : steps} | ${label} | ${pct(summary.successRate)} of ${summary.attacked} | ${summary.queries.mean.toFixed(0)} | ${summary.seconds.perImage.toFixed(2)} |`;
        lines.push(line);
        console.error(line);
      }
    }
  }
  console.log(lines.join('\n'));
}

await main();
// Session workers run from sources keep the process alive; the script is done.
await closeSharedSessionWorkers();
