import { decodeImage } from '../../image/image';
import { loadModel } from '../../models/loaded';
import { predictImages } from '../../models/predict';
import type { CallHandler } from '../types';

/**
 * One webcam frame through a model. Models and their ORT sessions are cached by loadModel and
 * cachedSession, so a stream of frames pays only for decode + resize + run.
 */
export const predictFrameHandler: CallHandler<'predictFrame'> = async ({ model, image, top, faces }) => {
  const start = performance.now();
  const decoded = await decodeImage(image, { label: 'frame' });
  const decodedAt = performance.now();
  const loaded = await loadModel(model);
  const [prediction] = await predictImages(loaded, [{ name: 'frame', image: decoded }], { top });
  const faceResult = faces ? (await predictImages(await loadModel(faces), [{ name: 'frame', image: decoded }]))[0] : undefined;
  const end = performance.now();
  return {
    prediction,
    ...(faceResult ? { faces: faceResult } : {}),
    timing: { decodeMs: decodedAt - start, inferMs: end - decodedAt, totalMs: end - start },
  };
};
