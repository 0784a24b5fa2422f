import { basename, resolve } from 'node:path';
import { UserError } from '../../errors';
import { decodeImage } from '../../image/image';
import type { Quad } from '../../../shared/homography';
import type { PatchMask } from '../../render/shapes';
import type { Plane } from '../../render/texture';
import { onTorso, type PhysicalAttackConfig } from './config';
import { alignFace, mainFace, zooFaceDetector, type FaceDetector } from './faces';
import { keepDetectable } from '../../faces/detectable';
import { loadModel } from '../../models/loaded';
import { targetFromModel } from './model-target';
import { ensembleObjective, type EnsembleMember } from './ensemble-objective';
import { buildObjective, type Objective } from './objective';
import { centredQuad, framesOnEyes, objectsOfClass, patchOnBox, patchOnTorso, stickerOnBox } from './placement';
import { listSceneFiles, scenesToPixels } from './scenes';
import { planesInMemory, streamScenes, type PlaneSource } from '../../scenes/loader';
import { selectScenesOf, type SetSelection } from '../../scenes/resolve';
import type { Box } from './placement';
import { movenetEstimator, type Keypoints } from '../../scenes/pose';
import { unmapBox, type ResizeTransform } from '../../image/resize';
import { classIndex, type AttackTarget, type TargetPrediction } from './target';

/** Scenes ready for rendering: planes at the model's input size and where the patch goes on each. */
export interface PreparedScenes {
  names: string[];
  /** Absolute paths of the scene files. */
  files: string[];
  /** Read from disk on demand (a small cache), so thousands of scenes fit in memory. */
  planes: PlaneSource;
  quads: Quad[][];
  /** Objects of the class per scene, in model-input pixels, when a scene set stored them (no re-detection). */
  stored?: Box[][];
  /** Where each photo lies in model-input pixels (all of it but a letterbox's bands). */
  content?: Box[];
  /** Each scene's source (a set's photo or video; a plain file is its own), for `sampleBy: sources`. */
  sources?: string[];
}

export interface Prepared extends PreparedScenes {
  objective: Objective;
  notes: string[];
}

export interface PrepareOptions {
  faceDetector?: FaceDetector;
  /** The face detector as a model, for the keep-detectable term (blazeface from the zoo unless a stand-in detector is given). */
  faceDetectorModel?: AttackTarget;
  onNote?: (message: string) => void;
}

/** Predictions for planes, a few at a time. */
export async function predictPlanes(target: AttackTarget, planes: readonly Plane[] | PlaneSource, chunk = 8): Promise<TargetPrediction[]> {
  const source = Array.isArray(planes) ? planesInMemory(planes) : (planes as PlaneSource);
  const out: TargetPrediction[] = [];
  for (let i = 0; i < source.length; i += chunk) {
    const batch = await Promise.all(Array.from({ length: Math.min(chunk, source.length - i) }, (_, k) => source.get(i + k)));
    out.push(...(await target.predict(scenesToPixels(batch))));
  }
  return out;
}

/** Loads the scenes, finds where the patch goes on each, and builds the goal's objective. */
export async function prepareAttack(config: PhysicalAttackConfig, target: AttackTarget, mask: PatchMask, options: PrepareOptions = {}): Promise<Prepared> {
  const notes: string[] = [];
  const note = (m: string): void => {
    notes.push(m);
    options.onNote?.(m);
  };
  const files = listSceneFiles(config.scenes);
  const cls = config.class !== undefined ? classIndex(target, config.class) : undefined;
  if (config.attack === 'glasses') return prepareFaces(config, target, mask, files, options, notes);
  const scenes = await streamScenes(files, target.width, target.height, target.resize ?? 'stretch');
  const names = files.map((f) => basename(f));
  const selection = selectScenesOf(config.scenes);
  const stored = storedObjects(config, selection, target, scenes.transforms);
  const aspect = mask.mask.width / mask.mask.height;
  let placement = config.placement;
  if (placement.kind === 'detect' && target.task !== 'detector') {
    placement = { kind: 'centre' };
    note(`${target.name} is not a detector: the patch goes at the centre of each scene`);
  }
  const predictions = target.task === 'classifier' || (placement.kind === 'detect' && !stored) ? await predictPlanes(target, scenes) : [];
  if (stored) note(`${config.scenes}: ${target.name}'s ${config.class} boxes read from the scene set (not detected again)`);
  const torso = onTorso(config.attack, placement);
  const poses = torso ? await torsoKeypoints(selection, files, scenes.transforms, stored ?? predictions.map((p) => objectsOfClass(p.detections ?? [], cls as number, (placement.kind === 'detect' && placement.minScore) || target.threshold).map((d) => d.box))) : undefined;
  const torsoCount = [0, 0];
  const quads: Quad[][] = scenes.transforms.map((t, i) => {
    switch (placement.kind) {
      case 'detect': {
        const boxes = stored ? stored[i] : objectsOfClass(predictions[i].detections ?? [], cls as number, placement.minScore ?? target.threshold).map((d) => d.box);
        const chosen = config.attack === 'sticker' ? boxes.slice(0, 1) : boxes;
        return chosen.map((b, j) => {
          if (config.attack === 'sticker') return stickerOnBox(b, config.size, aspect);
          const kp = poses?.[i]?.[j];
          const onTorso = kp ? patchOnTorso(kp, b, config.size, aspect) : undefined;
          if (poses) torsoCount[onTorso ? 0 : 1]++;
          return onTorso ?? patchOnBox(b, config.size, aspect);
        });
      }
      case 'quad': {
        const q = placement.quad;
        return [[0, 1, 2, 3].map((k) => [q[2 * k] * t.scaleX + t.offsetX, q[2 * k + 1] * t.scaleY + t.offsetY])] as unknown as Quad[];
      }
      case 'centre':
        return [centredQuad(target.width / 2, target.height / 2, config.size * Math.min(target.width, target.height), aspect)];
      case 'eyes':
        throw new UserError('--placement eyes is for eyeglass frames (patchlab attack glasses)');
    }
  });
  if (poses) note(`torso placement: ${torsoCount[0]} of ${torsoCount[0] + torsoCount[1]} ${config.class ?? 'object'}(s) on the chest from keypoints, the rest on the box rule`);
  const keep = quads.map((q, i) => (q.length > 0 ? i : -1)).filter((i) => i >= 0);
  for (let i = 0; i < scenes.length; i++) if (quads[i].length === 0) note(`${names[i]}: no ${config.class} detected; scene skipped`);
  if (keep.length === 0) throw new UserError(`${config.scenes}: ${target.name} finds no ${config.class ?? 'object'} in any scene to put the ${config.attack} on`);
  const sceneLabels = predictions.map((p) => p.top?.[0]?.index ?? 0);
  const main = await buildObjective({
    target,
    goal: config.goal,
    hideLoss: config.hideLoss,
    hideTopK: config.hideTopK,
    classIndex: cls,
    targetIndex: config.target !== undefined ? classIndex(target, config.target, '--target') : undefined,
    sceneLabels: keep.map((i) => sceneLabels[i]),
  });
  const objective = config.ensemble.length > 0 ? ensembleObjective(main, await ensembleMembers(config, target)) : main;
  if (config.ensemble.length > 0) note(`ensemble: ${[target.name, ...config.ensemble].join(' + ')} in one loss`);
  const kept = await streamScenes(keep.map((i) => files[i]), target.width, target.height, target.resize ?? 'stretch');
  const content = keep.map((i): Box => {
    const t = scenes.transforms[i];
    const size = scenes.originalSizes[i];
    return [t.offsetX, t.offsetY, t.offsetX + size.width * t.scaleX, t.offsetY + size.height * t.scaleY];
  });
  const sources = selection ? selection.entries.map((e) => e.source) : files.map((f) => resolve(f));
  return { names: keep.map((i) => names[i]), files: keep.map((i) => resolve(files[i])), planes: kept, quads: keep.map((i) => quads[i]), ...(stored ? { stored: keep.map((i) => stored[i]) } : {}), content, sources: keep.map((i) => sources[i]), objective, notes };
}

/** The further models of an ensemble run, each with its own objective for the run's goal and class. */
async function ensembleMembers(config: PhysicalAttackConfig, main: AttackTarget): Promise<EnsembleMember[]> {
  if (config.attack === 'glasses') throw new UserError('--ensemble: applies to patches and stickers');
  const members: EnsembleMember[] = [];
  for (const name of config.ensemble) {
    const target = targetFromModel(await loadModel(name));
    if (target.task !== main.task) throw new UserError(`--ensemble ${name}: is a ${target.task}; ${main.name} is a ${main.task}`);
    const objective = await buildObjective({
      target,
      goal: config.goal,
      hideLoss: config.hideLoss,
      hideTopK: config.hideTopK,
      classIndex: config.class !== undefined ? classIndex(target, config.class, `--ensemble ${name}: --class`) : undefined,
      targetIndex: config.target !== undefined ? classIndex(target, config.target, `--ensemble ${name}: --target`) : undefined,
    });
    members.push({ target, objective });
  }
  return members;
}

/**
 * Pose keypoints per scene and object, in model-input pixels: read from the scene set when it
 * stored them (`patchlab scenes pose`), else MoveNet on each box of the original photo now.
 */
async function torsoKeypoints(selection: SetSelection | undefined, files: readonly string[], transforms: readonly ResizeTransform[], boxes: readonly (readonly Box[])[]): Promise<(Keypoints | undefined)[][]> {
  const toModel = (kp: Keypoints, t: ResizeTransform): Keypoints => kp.map(([x, y, c]) => [x * t.scaleX + t.offsetX, y * t.scaleY + t.offsetY, c]);
  if (selection?.manifest.detector?.pose && selection.entries.every((e) => (e.objects ?? []).length === 0 || e.objects?.every((o) => o.keypoints))) {
    return selection.entries.map((e, i) => (e.objects ?? []).map((o) => (o.keypoints ? toModel(o.keypoints, transforms[i]) : undefined)));
  }
  const estimator = await movenetEstimator();
  try {
    const out: (Keypoints | undefined)[][] = [];
    for (let i = 0; i < files.length; i++) {
      if (boxes[i].length === 0) {
        out.push([]);
        continue;
      }
      const image = await decodeImage(files[i]);
      const t = transforms[i];
      const row: Keypoints[] = [];
      for (const b of boxes[i]) row.push(toModel(await estimator.estimate(image, unmapBox(b, t)), t));
      out.push(row);
    }
    return out;
  } finally {
    await estimator.dispose();
  }
}

/**
 * The class's boxes a scene set stored for this very model (same hash, same class), mapped to
 * model-input pixels; undefined when the scenes are plain files or were detected otherwise.
 */
function storedObjects(config: PhysicalAttackConfig, selection: SetSelection | undefined, target: AttackTarget, transforms: readonly { scaleX: number; scaleY: number; offsetX: number; offsetY: number }[]): Box[][] | undefined {
  const d = selection?.manifest.detector;
  if (!selection || !d || d.hash !== target.hash || d.class !== config.class) return undefined;
  if (config.placement.kind === 'detect' && config.placement.minScore !== undefined && config.placement.minScore !== d.minScore) return undefined;
  if (selection.entries.some((e) => !e.objects)) return undefined;
  return selection.entries.map((e, i) => {
    const t = transforms[i];
    return (e.objects ?? []).map((o) => [o.box[0] * t.scaleX + t.offsetX, o.box[1] * t.scaleY + t.offsetY, o.box[2] * t.scaleX + t.offsetX, o.box[3] * t.scaleY + t.offsetY] as const);
  });
}

/** Glasses: each scene is the wearer's face, aligned to the descriptor's input; frames on the eyes. */
async function prepareFaces(config: PhysicalAttackConfig, target: AttackTarget, mask: PatchMask, files: string[], options: PrepareOptions, notes: string[]): Promise<Prepared> {
  if (target.task !== 'embedding') throw new UserError(`eyeglass attacks need a face descriptor model (e.g. faceres); ${target.name} is a ${target.task}`);
  if (!mask.anchors) throw new UserError('eyeglass attacks need the eyeglasses shape (its lens centres place it on the eyes)');
  const anchors = mask.anchors;
  const detect = options.faceDetector ?? (await zooFaceDetector());
  const faces = await Promise.all(files.map(async (f) => alignedFace(detect, f, target)));
  const planes = faces.map((f) => f.plane);
  const quads = faces.map((f) => [framesOnEyes(anchors, mask.mask.width, mask.mask.height, f.leftEye, f.rightEye, config.size)]);
  const own = (await predictPlanes(target, planes)).map((p) => unit(p.embedding));
  let targetVector: Float32Array | undefined;
  if (config.goal === 'impersonate') {
    const t = await alignedFace(detect, config.target as string, target);
    targetVector = unit((await target.predict(scenesToPixels([t.plane])))[0].embedding);
  }
  const goal = await buildObjective({ target, goal: config.goal, sceneVectors: own, targetVector, awayFromWearer: config.awayFromWearer });
  let objective = goal;
  if (config.keepDetectable > 0) {
    const detector = options.faceDetectorModel ?? (options.faceDetector ? undefined : targetFromModel(await loadModel('blazeface')));
    if (detector) objective = keepDetectable(goal, detector, { weight: config.keepDetectable });
    else {
      const m = 'keep-detectable: the face detector given is not a model; the term is left out';
      notes.push(m);
      options.onNote?.(m);
    }
  }
  return { names: files.map((f) => basename(f)), files: files.map((f) => resolve(f)), planes: planesInMemory(planes), quads, objective, notes };
}

export async function alignedFace(detect: FaceDetector, file: string, target: AttackTarget): Promise<ReturnType<typeof alignFace>> {
  const image = await decodeImage(file);
  return alignFace(image, await mainFace(detect, image, file), target.width, target.height);
}

export function unit(v: Float32Array | undefined): Float32Array {
  if (!v) throw new UserError('the model returned no embedding');
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  return v.map((x) => x / n);
}
