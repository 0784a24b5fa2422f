import type { Command } from 'commander';
import { calibrateImage } from '../../engine/color/calibrate';
import { note, printJson, println } from '../output';

interface CalibrateFlags {
  palette: string;
  name?: string;
  absolute?: boolean;
  save: boolean;
  json?: boolean;
}

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description('fit the printer colour model from a photo of a printed calibration chart (`patchlab export chart`)')
    .argument('<photo>', 'a photo of the printed chart (JPEG, PNG), all four corner markers visible')
    .option('--palette <name>', 'the palette the chart was printed from (name or .json)', 'default')
    .option('--name <name>', 'name of the calibrated palette (default: PALETTE-calibrated)')
    .option('--absolute', "keep the camera's values instead of dividing by the paper white")
    .option('--no-save', 'only report the fit; do not write $PATCHLAB_HOME/palettes/NAME.json')
    .option('--json', 'print the result as JSON')
    .action(async (photo: string, opts: CalibrateFlags) => {
      const result = await calibrateImage(photo, { palette: opts.palette, name: opts.name, absolute: Boolean(opts.absolute), save: opts.save });
      for (const warning of result.warnings) note(`warning: ${warning}`);
      if (opts.json) {
        const { palette, ...rest } = result;
        return printJson({ ...rest, name: palette.name, model: palette.model });
      }
      const view = `${result.rotation === 0 ? 'upright' : `turned ${result.rotation}°`}${result.mirrored ? ', mirrored' : ''}`;
      println(`${photo}: found the 4 markers (chart ${view})`);
      println(`  ${result.swatches.length} swatches read; paper white ${result.paperWhite.map(Math.round).join(',')}; fit error mean ${result.meanError.toFixed(2)}/255, max ${result.maxError.toFixed(2)}/255`);
      const worst = [...result.swatches].sort((a, b) => b.error - a.error).slice(0, 3);
      println(`  worst swatches: ${worst.map((s) => `${s.label} ${s.error.toFixed(1)}`).join(', ')}`);
      if (result.path) {
        println(`saved palette ${result.palette.name}: ${result.path}`);
        println(`  attacks use it with --palette ${result.palette.name} (NPS against the measured colours, the fitted model in the print simulation)`);
      }
    });
}
