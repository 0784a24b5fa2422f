import { existsSync, mkdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../engine/errors';
import { matchThreshold } from '../../engine/faces/calibration-store';
import { annotateImage } from '../../engine/image/annotate';
import { decodeImage, type RasterImage } from '../../engine/image/image';
import { embedFace, faceSimilarity, largestFaceCrop, readFaceAttributes } from '../../engine/models/faces';
import { loadModel, type LoadedModel } from '../../engine/models/loaded';
import { predictImages } from '../../engine/models/predict';
import type { ImagePrediction } from '../../engine/models/types';
import { addModelFlags, modelOverrides, type ModelFlags } from '../model-options';
import { note, printJson, println } from '../output';
import { parsePositiveInt } from '../parse';

interface PredictFlags extends ModelFlags {
  top: string;
  batch: string;
  json?: boolean;
  draw?: string;
  compare?: string;
  align: boolean;
}

export function registerPredict(program: Command): void {
  addModelFlags(
    program
      .command('predict')
      .description('run a model on images: top-k classes, detections, faces or an output summary')
      .argument('<model>', 'registry name, or path to an .onnx file or a TF.js model.json')
      .argument('<images...>', 'image files (PNG, JPEG, WebP)')
      .option('--top <k>', 'classes to show per image', '5')
      .option('--batch <n>', 'images per forward pass when the batch size is free', '8')
      .option('--draw <png>', 'write the image with boxes, labels and keypoints drawn (a folder when several images)')
      .option('--compare <image>', 'face embedding models: print the similarity of each image\'s face to this one\'s')
      .option('--no-align', 'face models: use the images as given instead of cropping the largest detected face')
      .option('--json', 'print JSON'),
  ).action(async (ref: string, images: string[], opts: PredictFlags) => {
    const top = parsePositiveInt('--top', opts.top);
    const batch = parsePositiveInt('--batch', opts.batch);
    const model = await loadModel(ref, modelOverrides(opts), note);
    const faceModel = (model.manifest.task ?? '').startsWith('face-') && model.manifest.task !== 'face-detection';
    const inputs = await Promise.all(images.map(async (path) => ({ name: path, image: await inputImage(path, faceModel && opts.align, model) })));
    const results = await predictImages(model, inputs, { top, batch });
    if (opts.draw) await drawAll(opts.draw, inputs, results);
    const similarity = opts.compare ? await compareTo(opts.compare, model, inputs, faceModel && opts.align) : undefined;
    if (opts.json) return printJson({ model: model.name, results, ...(similarity ? { compare: similarity } : {}) });
    results.forEach((r, i) => {
      if (i > 0) println();
      printPrediction(r, faceModel && opts.align);
      if (similarity) println(`  similarity to ${opts.compare}: ${similarity.values[i].toFixed(3)} (${similarity.values[i] >= similarity.threshold ? 'same person' : 'different people'} at threshold ${similarity.threshold})`);
    });
  });
}

/** Face models see the aligned crop of the largest detected face, as the human library feeds them. */
async function inputImage(path: string, align: boolean, model: LoadedModel): Promise<RasterImage> {
  const image = await decodeImage(path);
  if (!align) return image;
  // Crop at a generous resolution (the human library crops at 192) and let the model resize.
  const aligned = await largestFaceCrop(image, Math.max(model.width, model.height, 192));
  if (!aligned) throw new UserError(`${path}: no face found (use --no-align if the image already is a face crop)`);
  return aligned.crop;
}

async function compareTo(path: string, model: LoadedModel, inputs: { image: RasterImage }[], align: boolean): Promise<{ values: number[]; threshold: number }> {
  const head = model.head;
  if (head.kind !== 'embedding') throw new UserError(`--compare needs a model with an embedding head; ${model.name} has a ${head.kind} head`);
  const reference = await embedFace(await inputImage(path, align, model), model);
  const values: number[] = [];
  for (const input of inputs) values.push(faceSimilarity((await embedFace(input.image, model)).descriptor, reference.descriptor));
  return { values, threshold: matchThreshold(model.hash, head.threshold ?? 0.5) };
}

async function drawAll(target: string, inputs: { name: string; image: RasterImage }[], results: ImagePrediction[]): Promise<void> {
  const isDir = inputs.length > 1 || target.endsWith('/') || (existsSync(target) && statSync(target).isDirectory());
  if (isDir) mkdirSync(target, { recursive: true });
  else if (extname(target).toLowerCase() !== '.png') throw new UserError(`--draw: '${target}' should end in .png`);
  for (let i = 0; i < inputs.length; i++) {
    const out = isDir ? join(target, `${basename(inputs[i].name, extname(inputs[i].name))}.png`) : target;
    await writeFile(out, await annotateImage(inputs[i].image, results[i]));
    note(`wrote ${out}`);
  }
}

function printPrediction(r: ImagePrediction, faceCrop: boolean): void {
  println(`${r.image} (${faceCrop ? 'largest face, aligned crop' : `${r.width}x${r.height}`})`);
  for (const t of r.top ?? []) println(`  ${(t.prob * 100).toFixed(2).padStart(6)}%  ${t.label}  [${t.index}]`);
  for (const d of r.detections ?? []) println(`  ${d.label.padEnd(14)} ${(d.score * 100).toFixed(1).padStart(5)}%  box ${d.box.map((v) => Math.round(v)).join(',')}`);
  for (const f of r.faces ?? []) {
    const points = f.keypoints.map((k) => `${k.name} ${Math.round(k.x)},${Math.round(k.y)}`).join('  ');
    println(`  face ${(f.score * 100).toFixed(1).padStart(5)}%  box ${f.box.map((v) => Math.round(v)).join(',')}  ${points}`);
  }
  if (r.embedding) println(`  embedding [${r.embedding.length}] ${r.embedding.slice(0, 4).map((v) => v.toFixed(3)).join(', ')}, ...`);
  if (r.extras?.age && r.extras.gender) {
    const a = readFaceAttributes(r.extras);
    println(`  age ${a.age}  gender ${a.gender} (${(a.genderScore * 100).toFixed(0)}%)`);
  } else {
    for (const [name, values] of Object.entries(r.extras ?? {})) println(`  ${name} ${describeExtra(values)}`);
  }
  for (const o of r.outputs ?? []) println(`  ${o.name} [${o.dims.join(',')}] min ${o.min.toPrecision(4)} max ${o.max.toPrecision(4)} mean ${o.mean.toPrecision(4)}`);
}

function describeExtra(values: number[]): string {
  if (values.length === 1) return values[0].toFixed(3);
  return `[${values.length}] ${values.slice(0, 4).map((v) => v.toFixed(3)).join(', ')}, ...`;
}
