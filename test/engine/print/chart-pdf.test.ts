import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPalette } from '../../../src/engine/color';
import { chartLayout } from '../../../src/engine/color/chart';
import { exportChartPdf } from '../../../src/engine/print/chart-pdf';
import { parsePaper } from '../../../src/engine/print/units';
import { pdfInfo, pdfText, renderPage } from '../../helpers/pdf';
import { tempDir } from '../../helpers/paths';

describe('calibration chart', () => {
  it('prints every palette colour exactly, paper cells blank, markers at the corners, on A4 and Letter', async () => {
    const dir = tempDir();
    const palette = defaultPalette();
    const layout = chartLayout(palette.count);
    expect(layout.cells.filter((c) => c.index < 0).length).toBeGreaterThanOrEqual(1);
    for (const paper of ['a4', 'letter']) {
      const chart = await exportChartPdf({ palette, paper: parsePaper('--paper', paper), out: join(dir, `${paper}.pdf`) });
      expect(pdfInfo(chart.path).pages).toHaveLength(1);
      const dpi = 50;
      const page = await renderPage(chart.path, 1, dpi);
      const pxPerMm = dpi / 25.4;
      const pixel = ([x, y]: [number, number]): number[] => {
        const p = 3 * (Math.round(y * pxPerMm) * page.width + Math.round(x * pxPerMm));
        return [page.data[p], page.data[p + 1], page.data[p + 2]];
      };
      // The chart origin is the first swatch's corner: the TL marker sits at (-8, -8) from it.
      const origin: [number, number] = [chart.markersMm[0][0] - layout.markers[0][0], chart.markersMm[0][1] - layout.markers[0][1]];
      for (const cell of layout.cells) {
        const centre: [number, number] = [origin[0] + cell.x + cell.size / 2, origin[1] + cell.y + cell.size / 2];
        const expected = cell.index < 0 ? [255, 255, 255] : [0, 1, 2].map((c) => Math.round(palette.colors[3 * cell.index + c] * 255));
        expect(pixel(centre)).toEqual(expected);
      }
      for (const marker of chart.markersMm) expect(pixel(marker)).toEqual([0, 0, 0]);
      const text = pdfText(chart.path);
      expect(text).toMatch(/patchlab calibrate PHOTO\.jpg --palette default --name my-printer/);
      expect(text).toMatch(/Print at 100% \/ actual size/);
    }
  });
});
