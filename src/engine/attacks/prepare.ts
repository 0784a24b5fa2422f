import { basename, resolve } from 'node:path';
import { UserError } from '../errors';
import { decodeImage } from '../image/image';
import type { Quad } from '../render/homography';
import type { PatchMask } from '../render/shapes';
import type { Plane } from '../render/texture';
import type { PhysicalAttackConfig } from './config';
import { alignFace, mainFace, zooFaceDetector, type FaceDetector } from './faces';
import { keepDetectable } from '../faces/detectable';
import { loadModel } from '../models/loaded';
import { targetFromModel } from './model-target';
import { buildObjective, type Objective } from './objective';
import { centredQuad, framesOnEyes, objectsOfClass, patchOnBox, stickerOnBox } from './placement';
import { listSceneFiles, loadScenes, scenesToPixels } from './scenes';
import { classIndex, type AttackTarget, type TargetPrediction } from './target';

/** Scenes ready for rendering: planes at the model's input size and where the patch goes on each. */
export interface PreparedScenes {
  names: string[];
  /** Absolute paths of the scene files. */
  files: string[];
  planes: Plane[];
  quads: Quad[][];
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
export async function predictPlanes(target: AttackTarget, planes: readonly Plane[], chunk = 8): Promise<TargetPrediction[]> {
  const out: TargetPrediction[] = [];
  for (let i = 0; i < planes.length; i += chunk) out.push(...(await target.predict(scenesToPixels(planes.slice(i, i + chunk)))));
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
  const scenes = await loadScenes(files, target.width, target.height, target.resize ?? 'stretch');
  const aspect = mask.mask.width / mask.mask.height;
  let placement = config.placement;
  if (placement.kind === 'detect' && target.task !== 'detector') {
    placement = { kind: 'centre' };
    note(`${target.name} is not a detector: the patch goes at the centre of each scene`);
  }
  const predictions = target.task === 'classifier' || placement.kind === 'detect' ? await predictPlanes(target, scenes.map((s) => s.plane)) : [];
  const quads: Quad[][] = scenes.map((s, i) => {
    switch (placement.kind) {
      case 'detect': {
        const objects = objectsOfClass(predictions[i].detections ?? [], cls as number, placement.minScore ?? target.threshold);
        const chosen = config.attack === 'sticker' ? objects.slice(0, 1) : objects;
        return chosen.map((d) => (config.attack === 'sticker' ? stickerOnBox(d.box, config.size, aspect) : patchOnBox(d.box, config.size, aspect)));
      }
      case 'quad': {
        const q = placement.quad;
        const t = s.transform;
        return [[0, 1, 2, 3].map((k) => [q[2 * k] * t.scaleX + t.offsetX, q[2 * k + 1] * t.scaleY + t.offsetY])] as unknown as Quad[];
      }
      case 'centre':
        return [centredQuad(target.width / 2, target.height / 2, config.size * Math.min(target.width, target.height), aspect)];
      case 'eyes':
        throw new UserError('--placement eyes is for eyeglass frames (patchlab attack glasses)');
    }
  });
  const keep = quads.map((q, i) => (q.length > 0 ? i : -1)).filter((i) => i >= 0);
  for (let i = 0; i < scenes.length; i++) if (quads[i].length === 0) note(`${scenes[i].name}: no ${config.class} detected; scene skipped`);
  if (keep.length === 0) throw new UserError(`${config.scenes}: ${target.name} finds no ${config.class ?? 'object'} in any scene to put the ${config.attack} on`);
  const sceneLabels = predictions.map((p) => p.top?.[0]?.index ?? 0);
  const objective = await buildObjective({
    target,
    goal: config.goal,
    hideLoss: config.hideLoss,
    classIndex: cls,
    targetIndex: config.target !== undefined ? classIndex(target, config.target, '--target') : undefined,
    sceneLabels: keep.map((i) => sceneLabels[i]),
  });
  return { names: keep.map((i) => scenes[i].name), files: keep.map((i) => resolve(scenes[i].file)), planes: keep.map((i) => scenes[i].plane), quads: keep.map((i) => quads[i]), objective, notes };
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
  return { names: files.map((f) => basename(f)), files: files.map((f) => resolve(f)), planes, quads, objective, notes };
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
