import type { Command } from 'commander';
import { robustReport, type RobustOptions } from '../../engine/evaluate/robust';
import { ROBUST_ATTACKS, ROBUST_DESCRIPTIONS, type RobustAttack } from '../../engine/evaluate/robust-attacks';
import { note, printJson, println, table } from '../output';
import { parseChoice, parseNonNegativeInt, parseNumber, parsePositiveInt } from '../parse';

interface Flags {
  data: string;
  eps: string;
  epsL2: string;
  count: string;
  attacks: string;
  source?: string;
  restarts: string;
  squareQueries: string;
  cwSteps: string;
  cwSearch: string;
  sweep: string;
  chunk: string;
  seed: string;
  out?: string;
  json?: boolean;
}

export function registerEvalRobust(program: Command): void {
  program
    .command('eval-robust <model>')
    .description('robust accuracy of a classifier under FGSM, PGD-20, PGD-100 with restarts, C&W (L2 and L∞ on logits), Square and transfer; table, JSON and accuracy-vs-eps plot')
    .option('--data <fashion-mnist|DIR>', 'held-out data: Fashion-MNIST test split, or a folder DIR/class/*.png', 'fashion-mnist')
    .option('--eps <x>', 'L∞ radius in [0,1] pixel units', '0.1')
    .option('--eps-l2 <x>', 'L2 budget for C&W-L2 (RGB [0,1] units)', '2')
    .option('--count <n>', 'evaluate the first N images', '1000')
    .option('--attacks <list>', `comma-separated: ${ROBUST_ATTACKS.join(',')}`, ROBUST_ATTACKS.join(','))
    .option('--source <model>', 'standard model the transfer attack crafts its images on')
    .option('--restarts <n>', 'random restarts of PGD-100', '5')
    .option('--square-queries <n>', 'query budget of the Square attack per image', '1000')
    .option('--cw-steps <n>', 'Adam steps per C&W binary-search step', '100')
    .option('--cw-search <n>', 'C&W binary-search steps on the constant', '5')
    .option('--sweep <list>', 'eps values of the accuracy-vs-eps curve (FGSM and PGD-20)', '0,0.05,0.1,0.15,0.2')
    .option('--chunk <n>', 'images per batch', '250')
    .option('--seed <n>', 'seed of random starts and squares', '0')
    .option('--out <dir>', 'write robust.json, robust.svg and robust.png here')
    .option('--json', 'print the report as JSON')
    .action(async (model: string, f: Flags) => {
      const attacks = f.attacks.split(',').map((a) => parseChoice('--attacks', a.trim(), ROBUST_ATTACKS)) as RobustAttack[];
      if (attacks.includes('transfer') && !f.source) note('transfer: skipped (give --source STANDARD_MODEL)');
      const options: RobustOptions = {
        model,
        data: f.data,
        eps: parseNumber('--eps', f.eps),
        epsL2: parseNumber('--eps-l2', f.epsL2),
        count: parsePositiveInt('--count', f.count),
        attacks,
        source: f.source,
        restarts: parsePositiveInt('--restarts', f.restarts),
        squareQueries: parsePositiveInt('--square-queries', f.squareQueries),
        cwSteps: parsePositiveInt('--cw-steps', f.cwSteps),
        cwSearch: parsePositiveInt('--cw-search', f.cwSearch),
        sweep: f.sweep.split(',').map((v) => parseNumber('--sweep', v.trim())),
        chunk: parsePositiveInt('--chunk', f.chunk),
        seed: parseNonNegativeInt('--seed', f.seed),
        out: f.out,
      };
      const report = await robustReport(options, (m) => note(m));
      if (f.json) return printJson(report);
      println(`${report.model} on ${report.split}, first ${report.count} images`);
      println(
        table([
          ['attack', 'budget', 'accuracy', 'seconds', 'what'],
          ...report.rows.map((r) => [r.attack, r.eps === null ? '-' : r.attack === 'cw-l2' ? `L2 ${r.eps}` : `L∞ ${r.eps}`, `${(100 * r.accuracy).toFixed(1)}%`, r.seconds.toFixed(0), ROBUST_DESCRIPTIONS[r.attack]]),
        ]),
      );
      if (report.cwMedianL2 !== undefined) println(`C&W-L2 median L2 of successful perturbations: ${report.cwMedianL2.toFixed(3)}`);
      for (const n of report.notes) println(n);
      if (f.out) println(`wrote ${f.out}/robust.json, robust.svg, robust.png`);
    });
}
