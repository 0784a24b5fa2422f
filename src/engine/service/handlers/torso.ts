import { targetFromModel } from '../../attacks/physical/model-target';
import { MIN_KEYPOINT_SCORE, objectsOfClass, patchOnBox, patchOnTorso } from '../../attacks/physical/placement';
import { classIndex } from '../../attacks/physical/target';
import { UserError } from '../../errors';
import { decodeImage, type RasterImage } from '../../image/image';
import { loadModel } from '../../models/loaded';
import { predictImages } from '../../models/predict';
import { movenetEstimator, type PoseEstimator } from '../../scenes/pose';
import { rawFrameSizeError } from '../../../shared/index';
import { attackDefaults } from '../jobs/attack';
import type { CallHandler } from '../types';

/** One MoveNet for the engine's life: the webcam asks several times a second. */
let estimator: Promise<PoseEstimator> | undefined;

/**
 * Where `--placement torso` would put the patch on each person of one webcam frame: the
 * detector's boxes of the class (at the attack's score threshold), MoveNet's keypoints per box,
 * the chest quad from them, or the box rule where the shoulders are missing — the same
 * functions the attack's placement calls, here in the frame's pixels.
 */
export const placeTorsoHandler: CallHandler<'placeTorso'> = async ({ image, raw, model, className, size }) => {
  const sizeError = rawFrameSizeError({ image, raw });
  if (sizeError) throw new UserError(sizeError);
  const frame: RasterImage = raw ? { width: raw.width, height: raw.height, channels: raw.channels, data: image } : await decodeImage(image, { label: 'frame' });
  const loaded = await loadModel(model);
  const target = targetFromModel(loaded);
  if (target.task !== 'detector') throw new UserError(`model: ${loaded.name} is not a detector (torso placement needs the people's boxes)`);
  const cls = classIndex(target, className);
  const side = size ?? attackDefaults('patch', 'hide', 'torso').size;
  const [prediction] = await predictImages(loaded, [{ name: 'frame', image: frame }]);
  const people = objectsOfClass(prediction.detections ?? [], cls, target.threshold);
  estimator ??= movenetEstimator().catch((error: unknown) => {
    estimator = undefined;
    throw error;
  });
  const pose = people.length > 0 ? await estimator : undefined;
  const out = [];
  for (const person of people) {
    const keypoints = pose ? await pose.estimate(frame, person.box) : [];
    const torso = patchOnTorso(keypoints, person.box, side);
    const quad = torso ?? patchOnBox(person.box, side);
    out.push({
      box: [...person.box] as [number, number, number, number],
      score: person.score,
      on: torso ? ('torso' as const) : ('box' as const),
      quad: quad.map(([x, y]) => [x, y]) as [[number, number], [number, number], [number, number], [number, number]],
      keypoints: keypoints.map(([x, y, c]) => [x, y, c] as [number, number, number]),
    });
  }
  return { width: frame.width, height: frame.height, size: side, minKeypointScore: MIN_KEYPOINT_SCORE, people: out };
};
