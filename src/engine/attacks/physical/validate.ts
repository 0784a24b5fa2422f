import type { PatchMask } from '../../render/shapes';
import type { BatchRenderer } from '../../render/renderer';
import { EVAL_WIDEN, sampleView, widenEot, type ViewParams } from '../../render/eot';
import { viewHomography } from '../../render/geometry';
import { applyH } from '../../../shared/homography';
import { Rng } from '../../random';
import type { Plane } from '../../render/texture';
import type { PhysicalAttackConfig } from './config';
import { objectsOfClass } from './placement';
import { iou, type Box } from '../../../shared/box';
import { predictPlanes, prepareAttack, type Prepared } from './prepare';
import { classIndex, type AttackTarget } from './target';

/** The patch scored on held-aside validation scenes: what early stopping and the best checkpoint follow. */
export interface Validator {
  scenes: number;
  objects: number;
  /** Views scored per scene. */
  views: number;
  /** Fraction of validation objects still detected under the current patch (lower is better for hide). */
  score(texture: Plane): Promise<number>;
}

/** Views per validation scene: as many as the reported evaluation draws (`eval --views 2`). */
export const VALIDATION_VIEWS = 2;

/**
 * Fixed views of every validation scene (seeded), so successive scores compare the patch alone.
 * They are drawn the way `eval` draws them (training ranges widened by EVAL_WIDEN, the photos whole
 * and unmirrored): training's scene crops would cut people out of the picture and count them as
 * hidden, and the best patch on training's own ranges was not the best on the reported views.
 */
export async function makeValidator(config: PhysicalAttackConfig, target: AttackTarget, mask: PatchMask, compositor: BatchRenderer, onNote: (m: string) => void): Promise<Validator | undefined> {
  if (!config.valScenes) return undefined;
  if (target.task !== 'detector' || config.goal !== 'hide') {
    onNote('--val-scenes: early stopping on validation is for hide patches on detectors; ignored');
    return undefined;
  }
  const prepared: Prepared = await prepareAttack({ ...config, scenes: config.valScenes }, target, mask, {});
  const cls = classIndex(target, config.class ?? '');
  const truth: Box[][] = prepared.stored ?? (await predictPlanes(target, prepared.planes)).map((p) => objectsOfClass(p.detections ?? [], cls, target.threshold).map((d) => d.box));
  const eot = widenEot(config.eot, EVAL_WIDEN);
  const views: { scene: number; view: ViewParams }[] = prepared.quads.flatMap((_, i) => Array.from({ length: VALIDATION_VIEWS }, (__, v) => ({ scene: i, view: sampleView(eot, new Rng(config.seed, 0x7a1, i * VALIDATION_VIEWS + v)) })));
  const objects = truth.reduce((a, t) => a + t.length, 0);
  return {
    scenes: prepared.quads.length,
    objects,
    views: VALIDATION_VIEWS,
    async score(texture) {
      let found = 0;
      for (let start = 0; start < views.length; start += config.batch) {
        const chunk = views.slice(start, start + config.batch);
        const samples = await Promise.all(chunk.map(async ({ scene, view }, k) => ({ scene: await prepared.planes.get(scene), quads: prepared.quads[scene], view, noiseSeed: start + k })));
        const predictions = await target.predict((await compositor.render(texture, samples)).pixels);
        chunk.forEach(({ scene, view }, k) => {
          const dets = (predictions[k].detections ?? []).filter((d) => d.classIndex === cls);
          for (const b of truth[scene]) if (dets.some((d) => iou(d.box, mapBox(b, view, target.width, target.height)) >= 0.5)) found++;
        });
      }
      return objects > 0 ? found / (objects * VALIDATION_VIEWS) : 0;
    },
  };
}

/** A scene box as it appears in a view: the bounding box of its mapped corners. */
export function mapBox(box: Box, view: ViewParams, width: number, height: number): Box {
  const h = viewHomography(view, width, height);
  if (!h) return box;
  const pts = [applyH(h, box[0], box[1]), applyH(h, box[2], box[1]), applyH(h, box[2], box[3]), applyH(h, box[0], box[3])];
  return [Math.min(...pts.map((p) => p[0])), Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[1]))];
}
