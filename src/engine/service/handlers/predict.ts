import { UserError } from '../../errors';
import { decodeImage, type RasterImage } from '../../image/image';
import { rawFrameSizeError } from '../../../shared/index';
import { loadModel } from '../../models/loaded';
import { predictImages } from '../../models/predict';
import type { CallHandler } from '../types';

/**
 * One webcam frame through a model. Models and their ORT sessions are cached by loadModel and
 * cachedSession, so a stream of frames pays only for decode + resize + run.
 */
export const predictFrameHandler: CallHandler<'predictFrame'> = async ({ model, image, raw, top, faces }) => {
  const start = performance.now();
  const sizeError = rawFrameSizeError({ image, raw });
  if (sizeError) throw new UserError(sizeError);
  const decoded: RasterImage = raw ? { width: raw.width, height: raw.height, channels: raw.channels, data: image } : await decodeImage(image, { label: 'frame' });
  const decodedAt = performance.now();
  const loaded = await loadModel(model);
  const [prediction] = await predictImages(loaded, [{ name: 'frame', image: decoded }], { top, spread: true });
  const faceResult = faces ? (await predictImages(await loadModel(faces), [{ name: 'frame', image: decoded }], { spread: true }))[0] : undefined;
  const end = performance.now();
  return {
    prediction,
    ...(faceResult ? { faces: faceResult } : {}),
    timing: { decodeMs: decodedAt - start, inferMs: end - decodedAt, totalMs: end - start },
  };
};
