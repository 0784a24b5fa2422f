import { basename } from 'node:path';
import { exportPdf } from '../../print/index';
import { runDir } from '../handlers/runs';
import { toPaper } from '../handlers/print';
import type { JobHandler } from '../types';

/** Print-ready PDF of a run's patch at true size, written into the run as patch.pdf. */
export const exportPdfJob: JobHandler<'exportPdf'> = {
  kind: 'exportPdf',
  lane: 'quick',
  capability: () => ({ available: true }),
  title: (p) => `PDF of ${p.run} at ${p.sizeMm} mm`,
  run: (p) => p.run,
  execute: async (p, ctx) => {
    ctx.report({ step: 0, steps: 1, loss: {}, message: 'writing the PDF…' });
    const result = await exportPdf({
      source: runDir(p.run),
      sizeMm: p.sizeMm,
      faceWidthMm: p.faceWidthMm,
      copies: p.copies,
      paper: toPaper(p.paper),
      bleedMm: p.bleedMm,
      marks: p.marks,
      cutContour: p.cutContour,
    });
    ctx.report({ step: 1, steps: 1, loss: {}, message: `${result.pages} page(s), ${Math.round(result.dpi)} DPI` });
    return {
      run: p.run,
      result: { file: basename(result.path), pages: result.pages, perPage: result.perPage, dpi: result.dpi, widthMm: result.widthMm, heightMm: result.heightMm, cutPaths: result.cutPaths, warnings: result.warnings },
    };
  },
};
