import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../engine/errors';
import { robustReport, type RobustReport } from '../../engine/evaluate/robust';
import { ROBUST_DESCRIPTIONS } from '../../engine/evaluate/robust-attacks';
import { compareReports, comparisonMarkdown, modelName, writeComparison } from '../../engine/evaluate/robust-compare';
import { setDefaultThreads } from '../../engine/onnx/session';
import { firstIssue } from '../../shared/zod-issue';
import { EVAL_SPLITS, ROBUST_ATTACKS, ROBUST_DEFAULTS, RobustConfigSchema, SQUARE_CHANNELS, type RobustConfig, type RobustConfigInput } from '../../shared/training';
import { note, printJson, println, table } from '../output';
import { parseChoice, parseNonNegativeInt, parseNumber, parsePositiveInt } from '../parse';

export interface RobustFlags {
  data?: string;
  split?: string;
  valSeed?: string;
  eps?: string;
  epsL2?: string;
  count?: string;
  attacks?: string;
  source?: string;
  restarts?: string;
  squareQueries?: string;
  squarePInit?: string;
  squareChannels?: string;
  cwSteps?: string;
  cwSearch?: string;
  sweep?: string;
  chunk?: string;
  seed?: string;
  threads?: string;
  out?: string;
  json?: boolean;
}

const D = ROBUST_DEFAULTS;

/** The report's flags (defaults shown from the one declaration, src/shared/training.ts), added to a command. */
export function robustOptions(cmd: Command): Command {
  return cmd
    .option('--data <fashion-mnist|DIR>', `held-out data: Fashion-MNIST, or a folder DIR/class/*.png (default ${D.data})`)
    .option('--split <name>', `${EVAL_SPLITS.join('|')}: the test set, or the seeded val split training held out (choose settings on val) (default ${D.split})`)
    .option('--val-seed <n>', `seed of the val split, as the training run's --seed (default ${D.valSeed})`)
    .option('--eps <x>', `L∞ radius in [0,1] pixel units (default ${D.eps})`)
    .option('--eps-l2 <x>', `L2 budget for C&W-L2, RGB [0,1] units (default ${D.epsL2})`)
    .option('--count <n>', `evaluate the first N images of the split (default ${D.count})`)
    .option('--attacks <list>', `comma-separated: ${ROBUST_ATTACKS.join(',')} (default all)`)
    .option('--source <model>', 'standard model the transfer attack crafts its images on')
    .option('--restarts <n>', `random restarts of PGD-100 (default ${D.restarts})`)
    .option('--square-queries <n>', `query budget of the Square attack per image (default ${D.squareQueries})`)
    .option('--square-p-init <x>', `Square's initial fraction of pixels per square (default ${D.squarePInit})`)
    .option('--square-channels <how>', `${SQUARE_CHANNELS.join('|')}: one sign for all channels of a square (grey data), or one per channel (default ${D.squareChannels})`)
    .option('--cw-steps <n>', `Adam steps per C&W binary-search step (default ${D.cwSteps})`)
    .option('--cw-search <n>', `C&W binary-search steps on the constant (default ${D.cwSearch})`)
    .option('--sweep <list>', `eps values of the accuracy-vs-eps curve, FGSM and PGD-20 (default ${D.sweep.join(',')})`)
    .option('--chunk <n>', `images per batch (default ${D.chunk})`)
    .option('--seed <n>', `seed of random starts and squares (default ${D.seed})`)
    .option('--threads <n>', 'onnxruntime threads (default: all cores)');
}

/** Flags -> the config the schema validates; absent flags take the declared defaults. */
export function robustConfigFromFlags(model: string, f: RobustFlags): RobustConfig {
  const c: RobustConfigInput = { model };
  if (f.data) c.data = f.data;
  if (f.split) c.split = parseChoice('--split', f.split, EVAL_SPLITS);
  if (f.valSeed) c.valSeed = parseNonNegativeInt('--val-seed', f.valSeed);
  if (f.eps) c.eps = parseNumber('--eps', f.eps);
  if (f.epsL2) c.epsL2 = parseNumber('--eps-l2', f.epsL2);
  if (f.count) c.count = parsePositiveInt('--count', f.count);
  if (f.attacks) c.attacks = f.attacks.split(',').map((a) => parseChoice('--attacks', a.trim(), ROBUST_ATTACKS));
  if (f.source) c.source = f.source;
  if (f.restarts) c.restarts = parsePositiveInt('--restarts', f.restarts);
  if (f.squareQueries) c.squareQueries = parsePositiveInt('--square-queries', f.squareQueries);
  if (f.squarePInit) c.squarePInit = parseNumber('--square-p-init', f.squarePInit);
  if (f.squareChannels) c.squareChannels = parseChoice('--square-channels', f.squareChannels, SQUARE_CHANNELS);
  if (f.cwSteps) c.cwSteps = parsePositiveInt('--cw-steps', f.cwSteps);
  if (f.cwSearch) c.cwSearch = parsePositiveInt('--cw-search', f.cwSearch);
  if (f.sweep) c.sweep = f.sweep.split(',').map((v) => parseNumber('--sweep', v.trim()));
  if (f.chunk) c.chunk = parsePositiveInt('--chunk', f.chunk);
  if (f.seed) c.seed = parseNonNegativeInt('--seed', f.seed);
  if (f.threads) c.threads = parsePositiveInt('--threads', f.threads);
  const parsed = RobustConfigSchema.safeParse(c);
  if (!parsed.success) throw new UserError(`eval-robust: ${firstIssue(parsed.error, 'settings')}`);
  return parsed.data;
}

export function printRobustReport(report: RobustReport): void {
  println(`${report.model} on ${report.split}, first ${report.count} images`);
  println(
    table([
      ['attack', 'budget', 'accuracy', 'seconds', 'what'],
      ...report.rows.map((r) => [r.attack, r.eps === null ? '-' : r.attack === 'cw-l2' ? `L2 ${r.eps}` : `L∞ ${r.eps}`, `${(100 * r.accuracy).toFixed(1)}%`, r.seconds.toFixed(0), ROBUST_DESCRIPTIONS[r.attack]]),
    ]),
  );
  if (report.cwMedianL2 !== undefined) println(`C&W-L2 median L2 of successful perturbations: ${report.cwMedianL2.toFixed(3)}`);
  for (const n of report.notes) println(n);
}

export function registerEvalRobust(program: Command): void {
  robustOptions(
    program
      .command('eval-robust <models...>')
      .description(
        'robust accuracy of classifiers under FGSM, PGD-20, PGD-100 with restarts, C&W (L2 and L∞ on logits), Square and transfer; table, JSON and accuracy-vs-eps plot. ' +
          'Several models: the same images and settings for each, and one comparison table (comparison.md and .json in --out)',
      ),
  )
    .option('--out <dir>', 'write robust.json, robust.svg and robust.png here (several models: DIR/<name>/ each, and DIR/comparison.md, .json)')
    .option('--json', 'print the report (several models: the comparison) as JSON')
    .action(async (models: string[], f: RobustFlags) => {
      const configs = models.map((m) => robustConfigFromFlags(m, f));
      const names = models.map(modelName);
      const clash = names.find((n, i) => names.indexOf(n) !== i);
      if (models.length > 1 && f.out && clash) throw new UserError(`eval-robust: two models are both named '${clash}' (their folders); give models from differently named run folders`);
      setDefaultThreads(configs[0].threads);
      if (configs[0].attacks.includes('transfer') && !configs[0].source) note('transfer: skipped (give --source STANDARD_MODEL)');
      const reports: RobustReport[] = [];
      for (let i = 0; i < models.length; i++) {
        const out = f.out && models.length > 1 ? join(f.out, names[i]) : f.out;
        if (models.length > 1) note(`${names[i]} (${i + 1}/${models.length}): ${models[i]}`);
        reports.push(await robustReport({ ...configs[i], out }, (m) => note(m)));
      }
      if (models.length === 1) {
        if (f.json) return printJson(reports[0]);
        printRobustReport(reports[0]);
        if (f.out) println(`wrote ${f.out}/robust.json, robust.svg, robust.png`);
        return;
      }
      const comparison = compareReports(reports);
      if (f.out) writeComparison(comparison, f.out);
      if (f.json) return printJson(comparison);
      println(comparisonMarkdown(comparison));
      if (f.out) println(`wrote ${f.out}/comparison.md, comparison.json and a report per model in ${f.out}/<name>/`);
    });
}
