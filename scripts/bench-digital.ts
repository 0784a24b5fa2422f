/**
 * Measures the digital attack suite on the built-in face classifiers with real face crops:
 * every face blazeface finds in test/fixtures/images/group1..6, cropped as the face models
 * expect (box x1.4, squared) at the photo's own resolution. Prints a markdown section and
 * replaces the "Digital attacks (issue 8)" section of BENCHMARKS.md — unless --models or --only
 * narrow the run (a partial table must not replace the full one), where --write forces it.
 *
 *   npm run bench:digital -- [--models emotion,antispoof] [--only pgd,cw,universal,random-resize] [--out DIR] [--write]
 *
 * Heavy (tens of minutes on 2 cores); not part of the test suite.
 */
import { mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAttack, DEFAULT_SETTINGS, type AttackSettings, type ImageAttackName } from '../src/engine/attacks/digital/catalog';
import { Rng } from '../src/engine/random';
import { gradientClassifierForModel } from '../src/engine/classifier/model-classifier';
import { runImages, type RunSummary } from '../src/engine/attacks/digital/run-images';
import { runUniversal } from '../src/engine/attacks/digital/run-universal';
import { buildDefences } from '../src/engine/defences/build';
import { parseDefences } from '../src/engine/defences/parse';
import { decodeImage, writeImage, type RasterImage } from '../src/engine/image/image';
import { loadModel } from '../src/engine/models/loaded';
import { alignFace, detectFaces } from '../src/engine/models/faces';
import type { Face } from '../src/engine/models/types';
import { cacheDir, packageRoot } from '../src/engine/paths';
import { writeBenchmarksSection } from './benchmarks-section';
import { closeSharedSessionWorkers } from '../src/engine/onnx/session-workers/pool';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const models = (flag('--models') ?? 'emotion,antispoof').split(',');
const only = flag('--only')?.split(',');
const out = flag('--out') ?? join(tmpdir(), 'patchlab-bench-digital');
const wanted = (name: string): boolean => !only || only.includes(name);

const DEFAULTS = DEFAULT_SETTINGS;

/** Attack rows: name, the catalog attack, settings that differ from the CLI defaults. */
const ROWS: [string, ImageAttackName, Partial<AttackSettings>][] = [
  ['FGSM, L-inf 8/255', 'fgsm', {}],
  ['PGD, L-inf 8/255, 20 steps, random start', 'pgd', {}],
  ['MI-FGSM, L-inf 8/255, 10 steps', 'mifgsm', { steps: 10 }],
  ['DeepFool (overshoot 0.02)', 'deepfool', {}],
  ['C&W L2 (6 x 100 Adam steps)', 'cw', { steps: 100 }],
  ['JSMA (theta 1, kappa 2, <= 10% pixels)', 'jsma', { candidates: 256, kappa: 2 }],
  ['Square, L-inf 8/255, 1000 queries', 'square', {}],
  ['HopSkipJump, 1000 queries', 'hopskipjump', {}],
];

interface Crop {
  path: string;
  group: number;
  face: Face;
}

/** Every detected face of the six group photos at its own resolution, and the photos' faces. */
async function faceCrops(dir: string): Promise<Crop[]> {
  mkdirSync(dir, { recursive: true });
  const crops: Crop[] = [];
  for (let group = 1; group <= 6; group++) {
    const image = await decodeImage(join(packageRoot(), `test/fixtures/images/group${group}.jpg`));
    const faces = await detectFaces(image);
    for (const [i, face] of faces.entries()) {
      const path = join(dir, `group${group}-face${i + 1}.png`);
      await writeImage(path, naturalCrop(image, face, 1.4));
      crops.push({ path, group, face });
    }
  }
  return crops;
}

/** The face model crop (detector box x scale, squared) without resampling to a fixed size. */
function naturalCrop(image: RasterImage, face: Face, scale: number): RasterImage {
  const [x1, y1, x2, y2] = face.box;
  return alignFace(image, face, Math.round(Math.max(x2 - x1, y2 - y1) * scale), { scale }).crop;
}

/**
 * Training views for the universal perturbation: each training face cropped at three scales
 * and four small shifts, each also mirrored — eleven people cannot teach "universal" alone.
 */
async function jitteredCrops(crops: Crop[], dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const crop of crops) {
    const image = await decodeImage(join(packageRoot(), `test/fixtures/images/group${crop.group}.jpg`));
    const [x1, y1, x2, y2] = crop.face.box;
    const [w, h] = [x2 - x1, y2 - y1];
    const views: [number, number, number][] = [[1.3, 0, 0], [1.4, 0, 0], [1.5, 0, 0], [1.4, -0.06, 0], [1.4, 0.06, 0], [1.4, 0, -0.06], [1.4, 0, 0.06]];
    for (const [k, [scale, dx, dy]] of views.entries()) {
      const face: Face = { ...crop.face, box: [x1 + dx * w, y1 + dy * h, x2 + dx * w, y2 + dy * h] };
      const view = naturalCrop(image, face, scale);
      const base = join(dir, `${crop.path.split('/').pop()!.replace('.png', '')}-v${k}`);
      await writeImage(`${base}.png`, view);
      await writeImage(`${base}-mirror.png`, mirror(view));
      out.push(`${base}.png`, `${base}-mirror.png`);
    }
  }
  return out;
}

function mirror(image: RasterImage): RasterImage {
  const data = new Uint8Array(image.data.length);
  const ch = image.channels;
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++)
      for (let c = 0; c < ch; c++) data[(y * image.width + x) * ch + c] = image.data[(y * image.width + image.width - 1 - x) * ch + c];
  return { ...image, data };
}

const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '-');
const num = (v: number, d = 3): string => (Number.isFinite(v) ? v.toFixed(d) : '-');

function row(label: string, s: RunSummary): string {
  return `| ${label} | ${pct(s.successRate)} (${s.attacked}) | ${pct(s.l0.mean)} / ${pct(s.l0.median)} | ${num(s.l2.mean)} / ${num(s.l2.median)} | ${num(s.modelL2.mean)} | ${num(s.linf.mean * 255, 1)}/255 | ${num(s.queries.mean, 0)} | ${num(s.seconds.perImage, 2)} |`;
}

const load = (): string => loadavg().map((v) => v.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const started = Date.now();
  const cpuStart = process.cpuUsage();
  const loadBefore = load();
  const crops = await faceCrops(join(cacheDir(), 'bench-digital', 'crops'));
  const paths = crops.map((c) => c.path);
  const order = new Rng(0).sample(crops.length, crops.length);
  const cut = Math.round(crops.length / 2);
  const trainCrops = order.slice(0, cut).sort((a, b) => a - b).map((i) => crops[i]);
  const heldOut = order.slice(cut).sort((a, b) => a - b).map((i) => paths[i]);
  const lines: string[] = [];
  lines.push('## Digital attacks (issue 8)', '', '`npm run bench:digital` (scripts/bench-digital.ts).', '');
  lines.push(
    `${crops.length} face crops: every face blazeface finds in test/fixtures/images/group1..6, cropped as the face models expect`,
    '(detector box x1.4, squared) at the photo\'s own resolution (62-146 px). Success is judged on the written 8-bit PNG by the',
    'normal predict path (original resolution -> model input size); norms are over successful images, at the crop\'s resolution',
    '(L2 at model input: what the model sees). "Queries": model evaluations per image (forward or forward+backward), including',
    'the realisation checks. Times are per image on the shared 2-core machine under load from other jobs (noisy, pessimistic).',
    '',
  );
  for (const name of models) {
    const model = await loadModel(name);
    const classifier = await gradientClassifierForModel(model);
    lines.push(`### ${name} (${model.width}x${model.height}, ${classifier.classes} classes)`, '');
    lines.push('| attack | success (n) | L0 mean / median | L2 mean / median | L2 at model input | L-inf mean | queries | s / image |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [label, attack, extra] of ROWS) {
      if (!wanted(attack)) continue;
      const settings = { ...DEFAULTS, ...extra };
      const { summary } = await runImages({ model, classifier, attack: buildAttack(attack, settings), images: paths, out: join(out, name, attack), batch: 8, judgeDraws: 1 });
      lines.push(row(label, summary));
      console.error(`${name} ${attack}: ${pct(summary.successRate)}`);
    }
    if (wanted('universal')) {
      const training = await jitteredCrops(trainCrops, join(cacheDir(), 'bench-digital', 'universal-train'));
      const methods = [
        { label: "Moosavi-Dezfooli's DeepFool passes", settings: { method: 'deepfool' as const, eps: 10 / 255, norm: 'linf' as const, targetRate: 0.8, maxPasses: 10, deepfool: { overshoot: 0.02, maxIter: 10, candidates: 10 }, seed: 0 } },
        { label: 'sign-gradient ascent (sgd, 40 steps)', settings: { method: 'sgd' as const, eps: 10 / 255, norm: 'linf' as const, steps: 40, lossCap: 100 } },
      ];
      for (const { label, settings } of methods) {
        const { summary } = await runUniversal({ model, classifier, train: training, heldOut, out: join(out, name, `universal-${settings.method}`), batch: 8, judgeDraws: 1, settings });
        lines.push(
          `| universal, ${label}, L-inf 10/255, computed on ${trainCrops.length} people (${summary.computedOn} views) | held-out ${pct(summary.heldOutFoolingRate)} (${summary.heldOut.attacked}); training views ${pct(summary.trainFoolingRate)} | | | | | ${summary.queries} total | ${num(summary.seconds, 0)} total |`,
        );
        console.error(`${name} universal ${settings.method}: held-out ${pct(summary.heldOutFoolingRate)}`);
      }
    }
    lines.push('');
    if (wanted('random-resize')) {
      lines.push(
        'Against `random-resize` (Xie et al.: shrink to 90-100% and pad at a random place). Success = share of 20 random draws of the',
        'defence on which the written PNG is misclassified; "oblivious" = plain PGD crafted without the defence, judged with it;',
        '"EOT-PGD" = PGD through the defence, averaging the gradient over N draws per step (the adaptive attack).',
        '',
      );
      lines.push('| attack | success vs random-resize | success without the defence | defended clean accuracy | s / image |', '| --- | --- | --- | --- | --- |');
      for (const eps of [8, 2]) {
        const setups = [
          [`PGD L-inf ${eps}/255, oblivious`, { oblivious: true }],
          [`PGD L-inf ${eps}/255 through the defence, 1 draw per step`, { eot: 1 }],
          [`EOT-PGD L-inf ${eps}/255, 30 draws per step`, { eot: 30 }],
        ] as const;
        for (const [label, options] of setups) {
          const defences = await buildDefences(classifier, parseDefences('random-resize'), options);
          const eot = 'eot' in options ? options.eot : 0;
          const attack = buildAttack('pgd', { ...DEFAULTS, eps: eps / 255 });
          const { summary } = await runImages({ model, classifier, defences, attack, images: paths, out: join(out, name, `random-resize-${eps}-${eot ? `eot${eot}` : 'oblivious'}`), batch: 8, judgeDraws: 20 });
          const d = summary.defended!;
          lines.push(`| ${label} | ${pct(d.successRate)} | ${pct(d.undefendedSuccessRate)} | ${pct(d.cleanAccuracy)} | ${num(summary.seconds.perImage, 1)} |`);
          console.error(`${name} random-resize ${label}: ${pct(d.successRate)}`);
        }
      }
      lines.push('');
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  lines.push(
    `Total ${((Date.now() - started) / 60000).toFixed(0)} min wall, ${((cpu.user + cpu.system) / 6e7).toFixed(0)} min CPU; load average ${loadBefore} before, ${load()} after (1/5/15 min, 2 cores shared with other jobs).`,
    `Outputs (adversarial PNGs, panels, results.json) in ${out}.`,
    '',
  );
  const section = lines.join('\n');
  console.log(section);
  if (args.includes('--write') || (!only && !flag('--models'))) console.error(`bench-digital: wrote ${writeBenchmarksSection('digital attacks', 'npm run bench:digital', section)}`);
}

await main();
// Session workers run from sources keep the process alive; the script is done.
await closeSharedSessionWorkers();
