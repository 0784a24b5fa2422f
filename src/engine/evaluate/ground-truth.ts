import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { UserError } from '../errors';
import type { Box } from './ap';

/** One annotated object, in pixels of the original image. */
export interface TruthBox {
  box: Box;
  classIndex: number;
  crowd: boolean;
}

/**
 * Annotations for a scene set: a COCO JSON file (images, annotations with bbox [x, y, w, h] and
 * iscrowd, categories matched to the model's labels by name) or a folder of YOLO txt labels
 * (NAME.txt beside nothing else: `class cx cy w h` per line, normalised, class = label index).
 * Scenes are looked up by file name.
 */
export interface GroundTruth {
  /** Objects of one scene; undefined when the annotations do not mention it. */
  boxes(scene: string, width: number, height: number): TruthBox[] | undefined;
  /** Categories of the annotations that no model label matched (their boxes are left out). */
  unmatched: string[];
}

export function readGroundTruth(path: string, labels: readonly string[]): GroundTruth {
  if (!existsSync(path)) throw new UserError(`--annotations: ${path}: no such file or folder`);
  return statSync(path).isDirectory() ? yoloFolder(path, labels) : cocoFile(path, labels);
}

function sceneKey(name: string): string {
  return basename(name, extname(name)).toLowerCase();
}

function cocoFile(path: string, labels: readonly string[]): GroundTruth {
  let json: {
    images?: { id: number; file_name: string }[];
    annotations?: { image_id: number; category_id: number; bbox: number[]; iscrowd?: number }[];
    categories?: { id: number; name: string }[];
  };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`--annotations: ${path}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (!Array.isArray(json.images) || !Array.isArray(json.annotations) || !Array.isArray(json.categories)) {
    throw new UserError(`--annotations: ${path}: a COCO file needs images, annotations and categories arrays`);
  }
  const byName = new Map(labels.map((l, i) => [l.toLowerCase(), i]));
  const category = new Map<number, number>();
  const unmatched: string[] = [];
  for (const c of json.categories) {
    const k = byName.get(String(c.name).toLowerCase());
    if (k === undefined) unmatched.push(c.name);
    else category.set(c.id, k);
  }
  const perImage = new Map<number, TruthBox[]>();
  for (const a of json.annotations) {
    const k = category.get(a.category_id);
    if (k === undefined) continue;
    if (!Array.isArray(a.bbox) || a.bbox.length !== 4) throw new UserError(`--annotations: ${path}: annotation of image ${a.image_id} has no [x, y, w, h] bbox`);
    const [x, y, w, h] = a.bbox;
    const list = perImage.get(a.image_id) ?? [];
    list.push({ box: [x, y, x + w, y + h], classIndex: k, crowd: a.iscrowd === 1 });
    perImage.set(a.image_id, list);
  }
  const byFile = new Map(json.images.map((i) => [sceneKey(i.file_name), perImage.get(i.id) ?? []]));
  return { boxes: (scene) => byFile.get(sceneKey(scene)), unmatched };
}

function yoloFolder(dir: string, labels: readonly string[]): GroundTruth {
  const files = new Map(readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.txt')).map((f) => [sceneKey(f), join(dir, f)]));
  if (files.size === 0) throw new UserError(`--annotations: ${dir}: no YOLO .txt label files in the folder`);
  return {
    unmatched: [],
    boxes(scene, width, height) {
      const file = files.get(sceneKey(scene));
      if (!file) return undefined;
      return readFileSync(file, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0)
        .map((line, n) => {
          const v = line.split(/\s+/).map(Number);
          if (v.length < 5 || v.some((x) => !Number.isFinite(x)) || !Number.isInteger(v[0])) throw new UserError(`--annotations: ${file}:${n + 1}: expected 'class cx cy w h' (normalised)`);
          if (labels.length > 0 && (v[0] < 0 || v[0] >= labels.length)) throw new UserError(`--annotations: ${file}:${n + 1}: class ${v[0]} is not one of the model's ${labels.length} labels`);
          const [cx, cy, w, h] = [v[1] * width, v[2] * height, v[3] * width, v[4] * height];
          return { box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2] as Box, classIndex: v[0], crowd: false };
        });
    },
  };
}
