import { join } from 'node:path';
import type { AttackTarget } from '../attacks/physical/target';
import { classIndex } from '../attacks/physical/target';
import { objectsOfClass } from '../attacks/physical/placement';
import { scenesToPixels } from '../attacks/physical/scenes';
import { unmapBox } from '../image/resize';
import { readManifest, setDir, writeManifest, type SceneManifest } from './manifest';
import { streamScenes } from './loader';

export interface DetectOptions {
  set: string;
  className: string;
  /** Score at or above which an object counts (the model's threshold by default). */
  minScore?: number;
  /** Detect again on scenes that already have objects (another model or class). */
  force?: boolean;
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the detector once over a set's scenes and stores each object of the class (box in the
 * stored image's pixels, score) in the manifest, so attacks and evaluations read them instead
 * of detecting again. The manifest is rewritten after every batch.
 */
export async function detectInSet(target: AttackTarget, options: DetectOptions): Promise<SceneManifest> {
  const manifest = readManifest(options.set);
  const cls = classIndex(target, options.className);
  const minScore = options.minScore ?? target.threshold;
  const same = manifest.detector && manifest.detector.hash === target.hash && manifest.detector.class === options.className && manifest.detector.minScore === minScore;
  const todo = manifest.scenes.map((s, i) => (options.force || !same || !s.objects ? i : -1)).filter((i) => i >= 0);
  manifest.detector = { model: target.name, hash: target.hash, class: options.className, minScore, ...(same ? { pose: manifest.detector?.pose } : {}) };
  const dir = setDir(options.set);
  const stream = await streamScenes(todo.map((i) => join(dir, manifest.scenes[i].file)), target.width, target.height, target.resize ?? 'stretch', 2);
  const batch = options.batch ?? 4;
  for (let k = 0; k < todo.length; k += batch) {
    const idx = todo.slice(k, k + batch);
    const planes = await Promise.all(idx.map((_, j) => stream.get(k + j)));
    const predictions = await target.predict(scenesToPixels(planes));
    idx.forEach((sceneIndex, j) => {
      const t = stream.transforms[k + j];
      manifest.scenes[sceneIndex].objects = objectsOfClass(predictions[j].detections ?? [], cls, minScore).map((d) => ({ box: unmapBox(d.box, t).map((v) => Number(v.toFixed(1))) as [number, number, number, number], score: Number(d.score.toFixed(4)) }));
    });
    writeManifest(manifest);
    options.onProgress?.(Math.min(todo.length, k + batch), todo.length);
  }
  writeManifest(manifest);
  return manifest;
}
