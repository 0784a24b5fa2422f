import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { runPhysicalAttack } from '../../engine/attacks/physical/run';
import { evaluateRun } from '../../engine/evaluate/evaluate';
import { builtinScenesDir } from '../../engine/service/handlers/scenes';
import { runsDir } from '../../engine/service/handlers/runs';
import { exportPdf } from '../../engine/print/index';
import { note, printJson, println } from '../output';
import { parsePositiveInt } from '../parse';
import { progressBar } from './attack-physical';

/** The first-run demo, as on the Design screen: hide people from centernet with a square patch under the default EOT. */
export const DEMO_ATTACK = { attack: 'patch', model: 'centernet', goal: 'hide', class: 'person' } as const;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the lab end to end, headless: a short hide-person patch against centernet on the sample scenes, its evaluation on held-out scenes, and a print-ready PDF')
    .option('--out <dir>', 'run folder (default: a new run under $PATCHLAB_HOME/runs, where the app lists it)')
    .option('--steps <n>', 'optimisation steps', '30')
    .option('--batch <n>', 'EOT samples per step', '4')
    .option('--views <n>', 'evaluation views per held-out scene', '6')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { out?: string; steps: string; batch: string; views: string; json?: boolean }) => {
      const steps = parsePositiveInt('--steps', opts.steps);
      const batch = parsePositiveInt('--batch', opts.batch);
      const views = parsePositiveInt('--views', opts.views);
      const out = resolve(opts.out ?? join(runsDir(), `demo-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}`));

      note(`patchlab demo: optimising a patch that hides people from centernet (${steps} steps x ${batch} views) in ${out}`);
      const bar = progressBar();
      const run = await runPhysicalAttack({ ...DEMO_ATTACK, scenes: join(builtinScenesDir(), 'samples'), steps, batch }, out, { onProgress: (p) => bar.update(p), onNote: (m) => bar.log(m), previewEvery: 0 });
      bar.stop();

      note(`patchlab demo: evaluating on the held-out scenes (${views} views each, beside noise and natural-image controls)`);
      const report = await evaluateRun(out, { scenes: join(builtinScenesDir(), 'heldout'), views });

      const pdf = await exportPdf({ source: out, sizeMm: 150, bleedMm: 3, marks: true, cutContour: true });
      const summary = {
        run: out,
        steps: run.stepsDone,
        batchSuccess: run.recentSuccess,
        metric: report.metric,
        /** Attack success per variant (the patch and its controls), and the metric's own value (e.g. recall) where it has one. */
        evaluation: Object.fromEntries(Object.entries(report.variants).map(([k, v]) => [k, { success: v.success, ...(v.recall !== undefined ? { recall: v.recall } : {}) }])),
        pdf: pdf.path,
      };
      if (opts.json) return printJson(summary);
      println(`run        ${out}`);
      println(`patch      ${join(out, 'patch.png')} (${run.stepsDone} steps, batch success ${Math.round(run.recentSuccess * 100)}% over the last steps)`);
      println(`evaluation attack success: ${Object.entries(summary.evaluation).map(([k, v]) => `${k} ${Math.round(v.success * 100)}%`).join(', ')}`);
      if (Object.values(summary.evaluation).some((v) => 'recall' in v)) {
        println(`           ${report.metric}: ${Object.entries(summary.evaluation).map(([k, v]) => `${k} ${'recall' in v ? Math.round((v.recall as number) * 100) : '–'}%`).join(', ')}`);
      }
      println(`pdf        ${pdf.path} (${pdf.widthMm.toFixed(0)} mm, ${Math.round(pdf.dpi)} DPI)`);
      println('open the app (npm start) to look at the run on the Optimise, Evaluate and Print screens');
    });
}
