import { listPalettes, loadPalette } from '../../color/index';
import type { PaletteSummary } from '../../../shared/index';
import type { CallHandler } from '../types';

const hex = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255).toString(16).padStart(2, '0');

function swatches(colors: Float32Array, limit = 64): string[] {
  const out: string[] = [];
  for (let i = 0; i + 2 < colors.length && out.length < limit; i += 3) out.push(`#${hex(colors[i])}${hex(colors[i + 1])}${hex(colors[i + 2])}`);
  return out;
}

export const listPalettesHandler: CallHandler<'listPalettes'> = async () => ({
  palettes: listPalettes().map((p): PaletteSummary => {
    let printable: Float32Array = new Float32Array(0);
    try {
      printable = loadPalette(p.path).printable;
    } catch {
      // A broken palette file is still listed; choosing it reports what is wrong.
    }
    return { name: p.name, builtin: p.builtin, calibrated: p.calibrated, swatches: swatches(printable) };
  }),
});
