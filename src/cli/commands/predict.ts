import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../engine/errors';
import { writeFileAtomic } from '../../engine/fs/atomic';
import { matchThreshold } from '../../engine/faces/calibration-store';
import { annotateImage } from '../../engine/image/annotate';
import { decodeImage, type RasterImage } from '../../engine/image/image';
import { embedFace, faceSimilarity, largestFaceCrop, readFaceAttributes } from '../../engine/models/faces';
import { loadModel, type LoadedModel } from '../../engine/models/loaded';
import { isFailure, predictEach, type ImageFailure, type LoadedImage } from '../../engine/models/predict';
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
    const align = faceModel && opts.align;
    if (opts.draw) checkDrawTarget(opts.draw, images.length);
    // One bad image (undecodable, no face) is reported in its place; the others still run.
    const { outcomes, loaded } = await predictEach(model, images.map((path) => ({ name: path, load: () => inputImage(path, align, model) })), { top, batch });
    const failed = outcomes.filter(isFailure);
    if (opts.draw) await drawAll(opts.draw, images.length, loaded, outcomes);
    const similarity = opts.compare ? await compareTo(opts.compare, model, loaded, align) : undefined;
    if (opts.json) {
      printJson({ model: model.name, results: outcomes, ...(similarity ? { compare: similarity } : {}) });
    } else {
      let first = true;
      outcomes.forEach((r, i) => {
        if (isFailure(r)) return note(`patchlab: ${r.error}`);
        if (!first) println();
        first = false;
        printPrediction(r, align);
        const value = similarity?.values[i];
        if (similarity && value !== undefined) println(`  similarity to ${opts.compare}: ${value.toFixed(3)} (${value >= similarity.threshold ? 'same person' : 'different people'} at threshold ${similarity.threshold})`);
      });
    }
    if (failed.length > 0) {
      if (images.length > 1) note(`patchlab: ${failed.length} of ${images.length} images failed`);
      process.exitCode = 1;
    }
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

/** Similarity of each loaded image's face to the reference's; undefined where the image failed. */
async function compareTo(path: string, model: LoadedModel, inputs: readonly (LoadedImage | undefined)[], align: boolean): Promise<{ values: (number | undefined)[]; threshold: number }> {
  const head = model.head;
  if (head.kind !== 'embedding') throw new UserError(`--compare needs a model with an embedding head; ${model.name} has a ${head.kind} head`);
  const reference = await embedFace(await inputImage(path, align, model), model);
  const values: (number | undefined)[] = [];
  for (const input of inputs) values.push(input ? faceSimilarity((await embedFace(input.image, model)).descriptor, reference.descriptor) : undefined);
  return { values, threshold: matchThreshold(model.hash, head.threshold ?? 0.5) };
}

function checkDrawTarget(target: string, count: number): void {
  const isDir = count > 1 || target.endsWith('/') || (existsSync(target) && statSync(target).isDirectory());
  if (!isDir && extname(target).toLowerCase() !== '.png') throw new UserError(`--draw: '${target}' should end in .png`);
}

/**
 * Annotated copies, written atomically: one file, or a folder with one PNG per input named after
 * it; inputs sharing a base name (a/photo.jpg, b/photo.jpg) get photo.png, photo-2.png...
 */
async function drawAll(target: string, count: number, inputs: readonly (LoadedImage | undefined)[], outcomes: readonly (ImagePrediction | ImageFailure)[]): Promise<void> {
  const isDir = count > 1 || target.endsWith('/') || (existsSync(target) && statSync(target).isDirectory());
  if (isDir) mkdirSync(target, { recursive: true });
  const used = new Set<string>();
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const outcome = outcomes[i];
    if (!input || isFailure(outcome)) continue;
    let out = target;
    if (isDir) {
      const stem = basename(input.name, extname(input.name));
      let name = `${stem}.png`;
      for (let k = 2; used.has(name); k++) name = `${stem}-${k}.png`;
      used.add(name);
      out = join(target, name);
    }
    writeFileAtomic(out, await annotateImage(input.image, outcome));
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
