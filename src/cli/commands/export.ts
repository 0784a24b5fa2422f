import type { Command } from 'commander';
import { exportChartPdf } from '../../engine/print/chart-pdf';
import { exportPdf } from '../../engine/print/export-pdf';
import type { AttackKind } from '../../engine/print/source';
import { formatMm, parseLength, parsePaper } from '../../engine/print/units';
import { note, printJson, println } from '../output';
import { parseChoice, parsePositiveInt } from '../parse';

interface PdfFlags {
  size?: string;
  faceWidth?: string;
  copies: string;
  paper: string;
  bleed: string;
  marks?: boolean;
  cutContour?: boolean;
  kind?: string;
  out?: string;
  json?: boolean;
}

export function registerExport(program: Command): void {
  const exporter = program.command('export').description('print-ready files: patches, stickers and eyeglass frames at true size, calibration charts');

  exporter
    .command('pdf')
    .description('a print-ready PDF of a patch at true physical size: copies tiled, bleed, crop marks, CutContour line')
    .argument('<source>', 'a run directory (patch.png + run.json) or a PNG (alpha is the mask)')
    .option('--size <length>', 'printed width of the patch: 80mm, 8cm, 3in')
    .option('--face-width <length>', 'eyeglass frames: the face width between the hinges (default 140mm)')
    .option('--copies <n>', 'copies to tile on the pages', '1')
    .option('--paper <paper>', 'a4, letter, a3, legal or WxHmm', 'a4')
    .option('--bleed <length>', 'extend the artwork past the cut line by this much (edge pixels repeated)', '0mm')
    .option('--marks', 'crop marks at the corners, outside the bleed')
    .option('--cut-contour', 'the mask outline as a vector path in the CutContour spot colour')
    .option('--kind <kind>', 'patch, sticker or glasses (a bare PNG prints as a patch)')
    .option('--out <file.pdf>', 'output file (default: RUN_DIR/patch.pdf, or PATCH.pdf beside the PNG)')
    .option('--json', 'print the result as JSON')
    .action(async (source: string, opts: PdfFlags) => {
      const result = await exportPdf({
        source,
        sizeMm: opts.size !== undefined ? parseLength('--size', opts.size) : undefined,
        faceWidthMm: opts.faceWidth !== undefined ? parseLength('--face-width', opts.faceWidth) : undefined,
        copies: parsePositiveInt('--copies', opts.copies),
        paper: parsePaper('--paper', opts.paper),
        bleedMm: parseLength('--bleed', opts.bleed),
        marks: Boolean(opts.marks),
        cutContour: Boolean(opts.cutContour),
        kind: opts.kind !== undefined ? parseChoice<AttackKind>('--kind', opts.kind, ['patch', 'sticker', 'glasses']) : undefined,
        out: opts.out,
      });
      for (const warning of result.warnings) note(`warning: ${warning}`);
      if (opts.json) return printJson(result);
      println(`${result.path}`);
      println(
        `  ${result.copies} ${result.copies === 1 ? 'copy' : 'copies'} of ${formatMm(result.widthMm)} x ${formatMm(result.heightMm)} mm on ${result.pages} ${result.paper} ${result.landscape ? 'landscape ' : ''}page${result.pages === 1 ? '' : 's'}` +
          ` (${result.perPage} per page), ${result.pixels.width} x ${result.pixels.height} px at ${Math.round(result.dpi)} DPI`,
      );
      println('  print at 100% / actual size; the 50 mm bar on each page checks it');
    });

  exporter
    .command('chart')
    .description('the colour calibration chart of a palette: print it, photograph it, then run `patchlab calibrate`')
    .option('--palette <name>', 'palette name or .json file', 'default')
    .option('--paper <paper>', 'a4, letter or WxHmm', 'a4')
    .option('--out <file.pdf>', 'output file', 'calibration-chart.pdf')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { palette: string; paper: string; out: string; json?: boolean }) => {
      const result = await exportChartPdf({ palette: opts.palette, paper: parsePaper('--paper', opts.paper), out: opts.out });
      if (opts.json) return printJson(result);
      println(result.path);
      println(`  ${result.swatches} swatches of palette ${result.palette}; print at 100%, photograph, then: patchlab calibrate PHOTO.jpg --palette ${result.palette} --name NAME`);
    });
}
