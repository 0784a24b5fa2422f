import { calibrateImage } from '../../color/calibrate';
import type { JobHandler } from '../types';

/** Fits the printer colour model from a photo of the printed chart and saves the calibrated palette. */
export const calibrateJob: JobHandler<'calibrate'> = {
  kind: 'calibrate',
  lane: 'quick',
  capability: () => ({ available: true }),
  title: (p) => `calibrate '${p.name}' from a photo of the ${p.palette} chart`,
  execute: async (p, ctx) => {
    ctx.report({ step: 0, steps: 1, loss: {}, message: 'finding the chart…' });
    const result = await calibrateImage(p.image, { palette: p.palette, name: p.name, save: true, label: 'the captured photo' });
    ctx.report({ step: 1, steps: 1, loss: {}, message: `mean error ${result.meanError.toFixed(1)}/255` });
    return {
      result: {
        palette: p.name,
        path: result.path,
        meanError: result.meanError,
        maxError: result.maxError,
        rotation: result.rotation,
        mirrored: result.mirrored,
        outliers: result.outliers,
        warnings: result.warnings,
      },
    };
  },
};
