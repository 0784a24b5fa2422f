import type { AttackTarget, TargetPrediction } from '../attacks/physical/target';
import { loadScenes } from '../attacks/physical/scenes';
import { AREA_RANGES, cocoAp, type ApImage, type Box } from './ap';
import { readGroundTruth } from './ground-truth';

/** AP of the attacked class for one variant (patch, a control, clean) over the annotated views. */
export interface VariantAp {
  ap50?: number;
  ap?: number;
  curve: { recall: number; precision: number }[];
}

export interface ApReport {
  annotations: string;
  class: string;
  /** The COCO size range scored, when one was asked for. */
  area?: keyof typeof AREA_RANGES;
  /** Annotated scenes evaluated, and their objects of the class. */
  scenes: number;
  objects: number;
  variants: Record<string, VariantAp>;
}

/**
 * Collects, view by view, the attacked class's detections beside its annotated objects (mapped
 * from the original image into the model's input and then into the view), and scores each
 * variant with COCO AP. Detections are ranked down to a low score (`ranked`, decoders'
 * RANKING_OPTIONS) as COCO does, not cut at the head's display threshold, which would end every
 * PR curve at the recall the threshold allows and understate AP.
 */
export async function createApCollector(annotations: string, target: AttackTarget, files: readonly string[], classIndex: number, notes: string[], area?: keyof typeof AREA_RANGES) {
  const truth = readGroundTruth(annotations, target.labels);
  if (truth.unmatched.length > 0) notes.push(`annotations: categories not among the model's labels, left out: ${truth.unmatched.slice(0, 8).join(', ')}${truth.unmatched.length > 8 ? ', ...' : ''}`);
  const scenes = await loadScenes(files, target.width, target.height, target.resize ?? 'stretch');
  // COCO's areas are in original-image pixels: each scene's range is scaled to its model-input pixels (not per view: views move the camera a little).
  const range = area ? AREA_RANGES[area] : undefined;
  const ranges = scenes.map((s) => (range ? ([range[0] * s.transform.scaleX * s.transform.scaleY, range[1] * s.transform.scaleX * s.transform.scaleY] as const) : undefined));
  const perScene: (Box[] | undefined)[] = scenes.map((s) => {
    const boxes = truth.boxes(s.name, s.originalWidth, s.originalHeight);
    if (!boxes) return undefined;
    const t = s.transform;
    return boxes.filter((b) => b.classIndex === classIndex && !b.crowd).map((b) => [b.box[0] * t.scaleX + t.offsetX, b.box[1] * t.scaleY + t.offsetY, b.box[2] * t.scaleX + t.offsetX, b.box[3] * t.scaleY + t.offsetY] as Box);
  });
  const missing = scenes.filter((_, i) => perScene[i] === undefined).map((s) => s.name);
  if (missing.length > 0) notes.push(`annotations: ${missing.length} scene(s) not annotated, left out of AP: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  const images = new Map<string, ApImage[]>();
  return {
    add(variant: string, scene: number, mapBox: (b: Box) => Box, p: TargetPrediction): void {
      const boxes = perScene[scene];
      if (!boxes) return;
      const list = images.get(variant) ?? [];
      const areaRange = ranges[scene];
      list.push({
        ...(areaRange ? { areaRange } : {}),
        truth: boxes.map((b) => ({ box: mapBox(b) })),
        detections: (p.ranked ?? p.detections ?? []).filter((d) => d.classIndex === classIndex).map((d) => ({ box: d.box, score: d.score })),
      });
      images.set(variant, list);
    },
    report(): ApReport {
      return {
        annotations,
        class: target.labels[classIndex] ?? String(classIndex),
        ...(area ? { area } : {}),
        scenes: perScene.filter((b) => b !== undefined).length,
        objects: perScene.reduce((a, b) => a + (b?.length ?? 0), 0),
        variants: Object.fromEntries([...images].map(([v, list]) => [v, cocoAp(list)])),
      };
    },
  };
}
