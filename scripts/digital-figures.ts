/**
 * The README's digital-attack figures, from the outputs of `npm run bench:digital`: the panel
 * (original | perturbation x10 | adversarial) of one face per attack, the universal
 * perturbation beside held-out faces it fools, and plain PGD vs EOT-PGD against random-resize.
 * Written to docs/digital/ as small palette PNGs.
 *
 *   npx tsx scripts/digital-figures.ts [BENCH_OUT] [--model emotion] [--face group6-face2]
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { panel } from '../src/engine/attacks/digital/figures';
import type { ImageResult } from '../src/engine/attacks/digital/run-images';
import { decodeImage } from '../src/engine/image/image';
import { packageRoot } from '../src/engine/paths';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const benchOut = args[0] && !args[0].startsWith('--') ? args[0] : join(tmpdir(), 'patchlab-bench-digital');
const model = flag('--model', 'emotion');
const face = flag('--face', 'group6-face2');
const docs = join(packageRoot(), 'docs', 'digital');
const ATTACKS = ['fgsm', 'pgd', 'mifgsm', 'jsma', 'deepfool', 'cw', 'square', 'hopskipjump'];

async function save(png: Buffer | string, name: string): Promise<void> {
  const info = await sharp(png).png({ palette: true, colours: 128, effort: 10 }).toFile(join(docs, `${name}.png`));
  console.log(`${name}.png ${info.width}x${info.height} ${info.size} bytes`);
}

const pct = (p: number): string => `${(p * 100).toFixed(0)}%`;

/** The universal perturbation x10 beside the first three held-out faces it fools. */
async function universalFigure(dir: string): Promise<Buffer> {
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { heldOut: ImageResult[] };
  const fooled = results.heldOut.filter((r) => r.success && r.adversarial && r.adversarialImage).slice(0, 3) as (ImageResult & Required<Pick<ImageResult, 'adversarial' | 'adversarialImage'>>)[];
  const images = [await decodeImage(join(dir, 'universal.png')), ...(await Promise.all(fooled.map((r) => decodeImage(r.adversarialImage))))];
  const captions = [
    { title: 'universal x10', line: 'L-inf 10/255' },
    ...fooled.map((r) => ({ title: 'held-out + it', line: `${r.original.label} -> ${r.adversarial.label} ${pct(r.adversarial.prob)}` })),
  ];
  return panel(images, captions, 140);
}

/** Two panels one above the other. */
async function stack(top: string, bottom: string): Promise<Buffer> {
  const [a, b] = await Promise.all([sharp(top).metadata(), sharp(bottom).metadata()]);
  const width = Math.max(a.width!, b.width!);
  return sharp({ create: { width, height: a.height! + b.height!, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite([
      { input: top, left: 0, top: 0 },
      { input: bottom, left: 0, top: a.height! },
    ])
    .png()
    .toBuffer();
}

mkdirSync(docs, { recursive: true });
for (const attack of ATTACKS) await save(join(benchOut, model, attack, `${face}.panel.png`), attack);
await save(await universalFigure(join(benchOut, model, 'universal-sgd')), 'universal');
await save(await stack(join(benchOut, model, 'random-resize-2-oblivious', `${face}.panel.png`), join(benchOut, model, 'random-resize-2-eot30', `${face}.panel.png`)), 'random-resize');
