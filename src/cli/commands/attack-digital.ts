import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { buildAttack, IMAGE_ATTACKS, type AttackSettings, type ImageAttackName } from '../../engine/attacks/digital/catalog';
import { runImages, type ImageResult, type RunSummary } from '../../engine/attacks/digital/run-images';
import { runUniversal } from '../../engine/attacks/digital/run-universal';
import { faceInputNote, prepareDigitalAttack, prepareTransfer, resolveTarget, type DigitalSetup } from '../../engine/attacks/digital/prepare';
import { resolveAttackSettings } from '../../engine/attacks/digital/settings';
import { resolveUniversalSettings, splitImages } from '../../engine/attacks/digital/universal-settings';
import type { Stat } from '../../engine/attacks/digital/metrics';
import { DEFENCE_HELP, parseDefences } from '../../engine/defences/parse';
import { IMAGE_ATTACKS_DECLARED } from '../../shared/digital-attacks';
import { UserError } from '../../engine/errors';
import { addModelFlags, modelOverrides, type ModelFlags } from '../model-options';
import { note, printJson, println, table } from '../output';
import { parseChoice, parseNonNegativeInt, parseNumber, parsePositiveInt } from '../parse';

interface CommonFlags extends ModelFlags {
  model: string;
  images: string[];
  out: string;
  target?: string;
  defence?: string;
  eotDraws: string;
  /** Refused: --eot is the physical attacks' transform ranges. */
  eot?: string;
  bpda: boolean;
  oblivious?: boolean;
  judgeDraws: string;
  batch: string;
  seed: string;
  json?: boolean;
}

type Flags = CommonFlags & Record<string, string | boolean | string[] | undefined>;

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);

/** Registers every declared image attack (src/shared/digital-attacks.ts), universal and transfer on `patchlab attack`. */
export function registerDigitalAttacks(attack: Command): void {
  for (const name of IMAGE_ATTACKS) {
    const command = common(attack.command(name).description(IMAGE_ATTACKS_DECLARED[name].summary));
    attackFlags(command, name);
    command.action(async (flags: Flags) => {
      const { model, classifier, defences } = await setup(flags);
      const settings = settingsFor(name, flags);
      const target = resolveTarget(classifier, flags.target);
      const images = expandImages(flags.images);
      const { results, summary } = await runImages({
        model,
        classifier,
        defences,
        attack: buildAttack(name, settings),
        images,
        out: flags.out,
        target,
        batch: parsePositiveInt('--batch', flags.batch),
        judgeDraws: parsePositiveInt('--judge-draws', flags.judgeDraws),
        onProgress: flags.json ? undefined : (done, total) => note(`  ${done}/${total}`),
      });
      report(flags, results, summary);
    });
  }

  const universal = common(attack.command('universal').description('one perturbation for a whole set of images (Moosavi-Dezfooli et al.), judged on held-out images'))
    .option('--holdout <paths...>', 'held-out images or folders (default: --split of --images)')
    .option('--split <fraction>', 'fraction of --images to compute the perturbation on when there is no --holdout', '0.5')
    .option('--method <sgd|deepfool>', "sgd: sign-gradient ascent on the set's mean loss (generalises better to held-out images from a few dozen); deepfool: Moosavi-Dezfooli's passes of DeepFool steps", 'sgd')
    .option('--mirror', 'also compute on the mirror image of each training image')
    .option('--eps <eps>', 'budget in pixel units', '10/255')
    .option('--norm <linf|l2>', 'budget norm', 'linf')
    .option('--steps <n>', 'sgd: ascent steps', '40')
    .option('--fooling-rate <rate>', 'deepfool: stop once this fraction of the training images is fooled', '0.8')
    .option('--max-passes <n>', 'passes over the training images at most', '10')
    .option('--overshoot <x>', "DeepFool's overshoot inside the algorithm", '0.02')
    .option('--max-iter <n>', "DeepFool's iterations per image", '10');
  universal.action(async (flags: Flags) => {
    if (flags.target) throw new UserError('universal: the universal perturbation is untargeted; drop --target');
    const { model, classifier, defences } = await setup(flags);
    const all = expandImages(flags.images);
    let train = all;
    let heldOut = flags.holdout ? expandImages(flags.holdout as string[]) : [];
    if (!flags.holdout) ({ train, heldOut } = splitImages(all, parseNumber('--split', flags.split as string), parseNonNegativeInt('--seed', flags.seed)));
    const { summary } = await runUniversal({
      model,
      classifier,
      defences,
      train,
      heldOut,
      out: flags.out,
      batch: parsePositiveInt('--batch', flags.batch),
      judgeDraws: parsePositiveInt('--judge-draws', flags.judgeDraws),
      mirror: flags.mirror === true,
      settings: universalSettings(flags),
    });
    if (flags.json) return printJson(summary);
    const budget = summary.norm === 'linf' ? `${fmt(summary.eps * 255, 1)}/255` : fmt(summary.eps, 3);
    println(`universal perturbation (${summary.method}) on ${model.name}: ${summary.norm} eps ${budget}, computed on ${summary.computedOn} images, ${summary.queries} queries, ${fmt(summary.seconds, 1)} s`);
    println(table([
      ['images', 'count', 'fooling rate (written PNGs, predict)'],
      ['training', String(summary.train.attacked), percent(summary.trainFoolingRate)],
      ['held-out', String(summary.heldOut.attacked), percent(summary.heldOutFoolingRate)],
    ]));
    println(`perturbation: ${join(flags.out, 'universal.png')} (x10), ${join(flags.out, 'universal.npy')}; images in ${join(flags.out, 'train')} and ${join(flags.out, 'heldout')}`);
  });

  const transfer = common(attack.command('transfer').description('black-box transfer: craft on --surrogate with gradients, judge on --model, which is never differentiated'))
    .requiredOption('--surrogate <model>', 'the model the examples are crafted on (registry name or .onnx)')
    .option('--via <attack>', 'white-box attack run on the surrogate: fgsm, bim, pgd or mifgsm', 'mifgsm');
  attackFlags(transfer, 'mifgsm');
  transfer.action(async (flags: Flags) => {
    if (flags.defence) throw new UserError('transfer: --defence is not supported here; attack the defended target directly');
    const via = parseChoice('--via', flags.via as string, ['fgsm', 'bim', 'pgd', 'mifgsm'] as const);
    const { target, model: surrogate, classifier } = await prepareTransfer(flags.model, flags.surrogate as string, { overrides: modelOverrides(flags) });
    const { results, summary } = await runImages({
      model: surrogate,
      classifier,
      transferTo: target,
      attack: buildAttack(via, settingsFor(via, flags)),
      images: expandImages(flags.images),
      out: flags.out,
      target: resolveTarget(classifier, flags.target),
      batch: parsePositiveInt('--batch', flags.batch),
      judgeDraws: 1,
    });
    report(flags, results, summary);
  });
}

function universalSettings(flags: Flags): Parameters<typeof runUniversal>[0]['settings'] {
  return resolveUniversalSettings({
    method: parseChoice('--method', flags.method as string, ['deepfool', 'sgd'] as const),
    eps: parseNumber('--eps', flags.eps as string),
    norm: parseChoice('--norm', flags.norm as string, ['linf', 'l2'] as const),
    steps: parsePositiveInt('--steps', flags.steps as string),
    foolingRate: parseNumber('--fooling-rate', flags.foolingRate as string),
    maxPasses: parsePositiveInt('--max-passes', flags.maxPasses as string),
    overshoot: parseNumber('--overshoot', flags.overshoot as string),
    maxIter: parsePositiveInt('--max-iter', flags.maxIter as string),
    seed: parseNonNegativeInt('--seed', flags.seed),
  });
}

function common(command: Command): Command {
  return addModelFlags(
    command
      .requiredOption('--model <model>', 'model to attack: registry name or path to an .onnx file')
      .requiredOption('--images <paths...>', 'image files or folders of images')
      .requiredOption('--out <dir>', 'folder for the adversarial PNGs, perturbations x10, panels and results.json')
      .option('--target <class>', 'targeted attack: class label or index')
      .option('--defence <list>', DEFENCE_HELP)
      .option('--eot-draws <n>', 'average gradients over n draws of the defence randomness (adaptive attack)', '1')
      // Physical attacks' --eot takes transform ranges; here it would mean something else, so it is refused by name.
      .addOption(new Option('--eot <value>').hideHelp())
      .option('--no-bpda', 'use the true (zero) gradient of non-differentiable defences instead of the straight-through estimate')
      .option('--oblivious', 'craft against the undefended model; the defence only judges the result (non-adaptive baseline)')
      .option('--judge-draws <n>', 'draws of a randomised defence each written image is judged on', '10')
      .option('--batch <n>', 'images attacked together when they already have the model size', '8')
      .option('--seed <n>', 'random seed', '0')
      .option('--json', 'print the summary and per-image results as JSON'),
  );
}

/** The options an image attack reads, with its defaults. */
function attackFlags(command: Command, name: ImageAttackName): void {
  const eps = (value: string, help = 'L-inf budget in pixel units'): void => void command.option('--eps <eps>', help, value);
  switch (name) {
    case 'fgsm':
      eps('8/255');
      break;
    case 'bim':
    case 'pgd':
      command.option('--eps <eps>', 'budget in pixel units (default 8/255 for linf, 1 for l2)');
      command.option('--norm <linf|l2>', 'budget norm', 'linf').option('--steps <n>', 'iterations', '20').option('--step-size <a>', 'step size (default 2.5 * eps / steps)');
      if (name === 'pgd') command.option('--random-start', 'start from a random point of the eps-ball (default)').option('--no-random-start', 'start from the clean image');
      break;
    case 'apgd-ce':
    case 'apgd-dlr':
      command.option('--eps <eps>', 'budget in pixel units (default 8/255 for linf, 1 for l2)');
      command.option('--norm <linf|l2>', 'budget norm', 'linf').option('--steps <n>', 'iterations (one gradient query each, plus one)', '20');
      break;
    case 'mifgsm':
      eps('8/255');
      command.option('--steps <n>', 'iterations', '10').option('--mu <mu>', 'momentum decay', '1');
      break;
    case 'jsma':
      command.option('--theta <t>', 'change per selected pixel (+1 to white, -1 to black)', '1').option('--max-fraction <f>', 'largest fraction of pixels changed', '0.1').option('--candidates <n>', 'pixels paired per iteration', '256')
        .option('--kappa <k>', 'keep changing pixels until the target logit leads by this margin, so the change survives 8-bit rounding and the resize (0: stop at the boundary, as in the paper)', '2');
      break;
    case 'deepfool':
      command.option('--overshoot <x>', 'overshoot factor', '0.02').option('--max-iter <n>', 'iterations', '50').option('--candidates <n>', 'classes considered', '10');
      break;
    case 'cw':
      command
        .option('--kappa <k>', 'confidence margin', '0')
        .option('--search-steps <n>', 'binary-search steps on c', '6')
        .option('--steps <n>', 'Adam steps per search step', '100')
        .option('--lr <lr>', 'Adam learning rate', '0.01')
        .option('--initial-const <c>', 'first c', '0.1');
      break;
    case 'square':
      eps('8/255');
      command.option('--queries <n>', 'query budget per image', '1000').option('--p-init <p>', 'initial square size as a fraction of the image', '0.05');
      break;
    case 'hopskipjump':
      command.option('--queries <n>', 'query budget per image', '1000').option('--init-evals <n>', 'gradient-estimation probes at first', '100').option('--max-evals <n>', 'probes at most', '1000').option('--gamma <g>', 'binary-search threshold factor', '1');
      break;
  }
}

function settingsFor(name: ImageAttackName, f: Flags): AttackSettings {
  const num = (flag: string, key: string): number | undefined => (typeof f[key] === 'string' ? parseNumber(flag, f[key] as string) : undefined);
  const int = (flag: string, key: string): number | undefined => (typeof f[key] === 'string' ? parsePositiveInt(flag, f[key] as string) : undefined);
  const settings = resolveAttackSettings(name, {
    eps: num('--eps', 'eps'),
    norm: typeof f.norm === 'string' ? parseChoice('--norm', f.norm, ['linf', 'l2'] as const) : undefined,
    steps: int('--steps', 'steps'),
    stepSize: num('--step-size', 'stepSize'),
    randomStart: f.randomStart !== false,
    mu: num('--mu', 'mu'),
    theta: num('--theta', 'theta'),
    maxFraction: num('--max-fraction', 'maxFraction'),
    candidates: int('--candidates', 'candidates'),
    overshoot: num('--overshoot', 'overshoot'),
    maxIter: int('--max-iter', 'maxIter'),
    kappa: num('--kappa', 'kappa'),
    searchSteps: int('--search-steps', 'searchSteps'),
    learningRate: num('--lr', 'lr'),
    initialConst: num('--initial-const', 'initialConst'),
    queries: int('--queries', 'queries'),
    pInit: num('--p-init', 'pInit'),
    initEvals: int('--init-evals', 'initEvals'),
    maxEvals: int('--max-evals', 'maxEvals'),
    gamma: num('--gamma', 'gamma'),
    seed: parseNonNegativeInt('--seed', f.seed),
  });
  if (!(settings.eps > 0)) throw new UserError(`--eps: must be positive`);
  return settings;
}

async function setup(flags: Flags): Promise<DigitalSetup> {
  if (flags.eot !== undefined) throw new UserError(`--eot: digital attacks average over a defence's randomness with --eot-draws ${flags.eot} (--eot is the physical attacks' transform ranges)`);
  const prepared = await prepareDigitalAttack(flags.model, {
    overrides: modelOverrides(flags),
    defences: flags.defence ? parseDefences(flags.defence) : undefined,
    eot: parsePositiveInt('--eot-draws', flags.eotDraws),
    bpda: flags.bpda,
    oblivious: flags.oblivious === true,
    seed: parseNonNegativeInt('--seed', flags.seed),
  });
  const faceNote = faceInputNote(prepared.model);
  if (faceNote) note(faceNote);
  return prepared;
}

/** Files as given; folders contribute their images (PNG, JPEG, WebP), sorted by name. */
function expandImages(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new UserError(`${path}: no such file or folder`);
    }
    if (!isDir) {
      out.push(path);
      continue;
    }
    const found = readdirSync(path).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort();
    if (found.length === 0) throw new UserError(`${path}: no images (.png, .jpg, .webp) in this folder`);
    out.push(...found.map((f) => join(path, f)));
  }
  return out;
}

function report(flags: Flags, results: ImageResult[], summary: RunSummary): void {
  if (flags.json) return printJson({ summary, results });
  const rows = [['image', 'original', 'adversarial', 'success', 'L0 %', 'L2', 'Linf', 'queries', 's']];
  for (const r of results) {
    const ok = r.skipped ? 'skipped' : r.defended ? `${percent(r.defended.success)} of draws` : r.success ? 'yes' : 'no';
    rows.push([
      r.image,
      `${r.original.label} ${percent(r.original.prob)}`,
      r.adversarial ? `${r.adversarial.label} ${percent(r.adversarial.prob)}` : '-',
      ok,
      r.norms ? fmt(r.norms.l0 * 100, 1) : '-',
      r.norms ? fmt(r.norms.l2, 3) : '-',
      r.norms ? `${Math.round(r.norms.linf * 255)}/255` : '-',
      String(r.queries),
      fmt(r.seconds, 2),
    ]);
  }
  println(table(rows));
  println();
  const head = `${summary.attack} on ${summary.transferTo ? `${summary.model} -> ${summary.transferTo}` : summary.model}${summary.defence ? ` behind ${summary.defence}` : ''}`;
  println(head);
  const lines = [
    ['success rate', percent(summary.successRate) + ` of ${summary.attacked} (verified on the written PNGs)`],
    ['L0 (pixels changed)', statText(summary.l0, (v) => percent(v))],
    ['L2', statText(summary.l2, (v) => fmt(v, 3))],
    ['L2 at model input', statText(summary.modelL2, (v) => fmt(v, 3))],
    ['Linf', statText(summary.linf, (v) => `${fmt(v * 255, 1)}/255`)],
    ['queries', statText(summary.queries, (v) => fmt(v, 0))],
    ['time', `${fmt(summary.seconds.total, 1)} s total, ${fmt(summary.seconds.perImage, 2)} s per image`],
  ];
  if (summary.surrogateSuccessRate !== undefined) lines.splice(1, 0, ['on the surrogate', percent(summary.surrogateSuccessRate)]);
  if (summary.defended) {
    lines.splice(1, 0, ['without the defence', percent(summary.defended.undefendedSuccessRate)], ['defended clean accuracy', percent(summary.defended.cleanAccuracy)]);
    if (summary.defended.detectorFlaggedAdversarial !== undefined) {
      lines.push(['detector flags', `${percent(summary.defended.detectorFlaggedAdversarial)} adversarial, ${percent(summary.defended.detectorFlaggedClean ?? 0)} clean`]);
    }
  }
  println(table(lines));
  println(`(norms over successful images, at the images' own resolution; pixel units)`);
}

function statText(s: Stat, f: (v: number) => string): string {
  return Number.isNaN(s.mean) ? '-' : `mean ${f(s.mean)}, median ${f(s.median)}`;
}

function percent(v: number): string {
  return Number.isNaN(v) ? '-' : `${(v * 100).toFixed(1)}%`;
}

function fmt(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '-';
}
