import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { GOALS } from '../../engine/attacks/physical/config';
import { evaluateRun, VARIANTS, type EvalInput, type EvalReport } from '../../engine/evaluate/evaluate';
import { UserError } from '../../engine/errors';
import { SPLITS } from '../../engine/scenes/manifest';
import { formatSetSpec, parseSetSpec } from '../../engine/scenes/resolve';
import { EVAL_WIDEN } from '../../engine/render/eot';
import { parseEot } from '../eot-option';
import { goalAndShapeFlags } from './attack-physical';
import { evalOnGallery } from './faces';
import { printJson, println, table } from '../output';
import { parseChoice, parseFraction, parseNonNegativeInt, parseNumber, parsePositiveInt } from '../parse';

interface EvalFlags {
  model?: string;
  scenes?: string;
  views: string;
  widen?: string;
  eot?: string;
  seed?: string;
  goal?: string;
  class?: string;
  target?: string;
  shape?: string;
  size?: string;
  natural?: string;
  out?: string;
  defence?: string;
  threshold?: string;
  annotations?: string;
  area?: string;
  probes?: string;
  gallery?: string;
  wearer?: string;
  impersonate?: string;
  split?: string;
  minVisible?: string;
  json?: boolean;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('measure a patch on held-out scenes under wider transforms, beside noise and natural-image controls')
    .argument('<source>', 'a run folder, or a patch PNG (alpha = mask)')
    .option('--scenes <dir>', 'held-out scene images (folder, comma-separated files, or a scene set: set:NAME[:split])')
    .option('--split <split>', 'with --scenes set:NAME: evaluate this split (test refuses a run that trained or validated on it)')
    .option('--model <model>', "model to evaluate against (default: the run's)")
    .option('--views <n>', 'views per scene', '16')
    .option('--widen <factor>', 'widen every training transform range by this factor', String(EVAL_WIDEN))
    .option('--eot <spec>', 'explicit transform ranges instead (same syntax as attack --eot)')
    .option('--seed <n>', 'seed for the drawn views', '7')
    .option('--goal <goal>', `for a patch PNG: ${GOALS.join('|')}`)
    .option('--class <class>', 'for a patch PNG: the class it hides or sits on')
    .option('--target <target>', 'for a patch PNG: the target class or face photo')
    .option('--shape <shape>', 'for a patch PNG: eyeglasses[:classic|thick] to place it on the eyes')
    .option('--size <fraction>', 'for a patch PNG: size relative to the object (as in attack --size)')
    .option('--min-visible <fraction>', 'detector patches: count only objects with at least this fraction of their patch inside the photo (e.g. 0.5 for a torso print whose chest is in view)')
    .option('--natural <image>', 'natural-image control (default: a photo shipped with patchlab)')
    .option('--out <dir>', 'where eval.json and the plots go (default: the run folder, or beside the PNG)')
    .option('--defence <list>', 'input defences every view goes through: random-resize[=MIN_SCALE], jpeg[=QUALITY], bit-depth[=BITS], median[=SIZE], comma-separated')
    .option('--threshold <cosine>', "face descriptors: the similarity at which two faces match (default: the model's)")
    .option('--annotations <file|dir>', 'detectors: ground truth (COCO JSON, or a folder of YOLO txt labels) to report AP@0.5 and AP@[.5:.95] of the class and PR curves')
    .option('--area <size>', 'with --annotations: score only small, medium or large objects (COCO box areas)')
    .option('--probes <dir>', 'eyeglass runs: probe photos of the wearer, judged against enrolled galleries (with --wearer)')
    .option('--gallery <names>', "with --probes: the galleries to identify against, comma-separated (default: all)")
    .option('--wearer <gallery>', "with --probes: the wearer's gallery")
    .option('--impersonate <gallery>', 'with --probes: the gallery an impersonation run should be matched as')
    .option('--json', 'print eval.json to stdout')
    .action(async (source: string, f: EvalFlags) => {
      if (f.probes) return evalOnGallery(source, f);
      if (!f.scenes) throw new UserError('eval needs --scenes DIR (or, for eyeglass frames, --probes DIR --wearer GALLERY)');
      const input: EvalInput = { scenes: withSplit(f.scenes, f.split), views: parsePositiveInt('--views', f.views), seed: parseNonNegativeInt('--seed', f.seed ?? '7') };
      if (f.model) input.model = f.model;
      if (f.widen) input.widen = Math.max(1, parseNumber('--widen', f.widen));
      if (f.eot) input.eot = parseEot(f.eot);
      Object.assign(input, goalAndShapeFlags(f));
      if (f.minVisible) input.minVisible = parseFraction('--min-visible', f.minVisible);
      if (f.natural) input.natural = f.natural;
      if (f.out) input.out = f.out;
      if (f.defence) input.defence = f.defence;
      if (f.threshold) input.threshold = parseNumber('--threshold', f.threshold);
      if (f.annotations) input.annotations = f.annotations;
      if (f.area) input.area = parseChoice('--area', f.area, ['small', 'medium', 'large'] as const);
      const bar = new cliProgress.SingleBar({ format: 'views {value}/{total} |{bar}| ETA {eta_formatted}', stream: process.stderr, noTTYOutput: true, notTTYSchedule: 10_000 }, cliProgress.Presets.shades_classic);
      let started = false;
      const report = await evaluateRun(source, input, {
        onProgress: (done, total) => {
          if (started) return bar.update(done);
          bar.start(total, done);
          started = true;
        },
      }).finally(() => bar.stop());
      if (f.json) return printJson(report);
      printReport(report);
    });
}

/** `--scenes set:NAME --split test` is `--scenes set:NAME:test`. */
function withSplit(scenes: string, split: string | undefined): string {
  if (!split) return scenes;
  const spec = parseSetSpec(scenes);
  if (!spec) throw new UserError('--split: needs --scenes set:NAME (a scene set)');
  if (spec.split && spec.split !== split) throw new UserError(`--split ${split}: --scenes already names split ${spec.split}`);
  return formatSetSpec({ set: spec.set, split: parseChoice('--split', split, SPLITS) });
}

function printReport(r: EvalReport): void {
  const pct = (v: number | undefined): string => (v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);
  println(`${r.model.name}, goal ${r.goal}${r.class ? ` (${r.class})` : ''}: ${r.views} views of ${r.scenes.length} held-out scene(s)${r.defence ? `, through ${r.defence}` : ''}${r.threshold !== undefined ? `, faces match at similarity >= ${r.threshold}` : ''}`);
  const detector = r.variants.patch.recall !== undefined;
  const rows = [['', detector ? 'recall' : 'match', 'attack success']];
  for (const v of VARIANTS) rows.push([v, pct(detector ? r.variants[v].recall : r.variants[v].match), pct(r.variants[v].success)]);
  println(table(rows));
  if (r.ap) {
    const ap = r.ap;
    const num = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(3));
    println(`${ap.class} AP against ${ap.annotations}${ap.area ? ` (${ap.area} objects only)` : ''} (${ap.objects} objects in ${ap.scenes} annotated scene(s), COCO 101-point):`);
    println(table([['', 'AP@0.5', 'AP@[.5:.95]'], ...VARIANTS.map((v) => [v, num(ap.variants[v]?.ap50), num(ap.variants[v]?.ap)])]));
  }
  for (const n of r.notes) println(`note: ${n}`);
  println(`wrote ${r.files.join(', ')}`);
}
