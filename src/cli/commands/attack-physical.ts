import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ATTACK_KINDS, GOALS, HIDE_LOSSES, KEEP_DETECTABLE_WEIGHT, SAMPLE_BY, type AttackKind, type PhysicalAttackInput } from '../../engine/attacks/physical/config';
import { defaultsText, GOALS_OF, PATCH_PLACEMENTS, PHYSICAL_ATTACKS_DECLARED, PHYSICAL_NUMBER_FIELDS, type PhysicalNumber } from '../../shared/physical-attacks';
import { resumePhysicalAttack, runPhysicalAttack, type PhysicalProgress, type PhysicalRunResult } from '../../engine/attacks/physical/run';
import { UserError } from '../../engine/errors';
import { parseShape } from '../../engine/render/shapes';
import { parseSetSpec } from '../../engine/scenes/resolve';
import { formatEot, parseEot } from '../eot-option';
import { note, printJson, println } from '../output';
import { parseChoice, parseFraction, parseList, parseNonNegativeInt, parseNumber, parsePositiveInt } from '../parse';

interface AttackFlags {
  model?: string;
  goal?: string;
  class?: string;
  target?: string;
  scenes?: string;
  shape?: string;
  size?: string;
  resolution?: string;
  exportSize?: string;
  quad?: string;
  placement?: string;
  epochs?: string;
  valScenes?: string;
  valEvery?: string;
  valPatience?: string;
  sampleBy?: string;
  steps?: string;
  batch?: string;
  seed?: string;
  eot?: string;
  optimizer?: string;
  lr?: string;
  schedule?: string;
  nps?: string;
  tv?: string;
  palette?: string;
  disguise?: string;
  disguiseWeight?: string;
  init?: string;
  checkpointEvery?: string;
  earlyStop?: string;
  hideLoss?: string;
  hideTopK?: string;
  awayFromWearer?: string;
  keepDetectable?: string | boolean;
  ensemble?: string;
  out?: string;
  resume?: string;
  json?: boolean;
}

/** `--size <fraction>` and its help: meaning, unit, range and the default of every goal, all from the shared declaration. */
export function numberOption(kind: AttackKind, name: PhysicalNumber): { flags: string; description: string } {
  const f = PHYSICAL_NUMBER_FIELDS[name];
  const meaning = name === 'size' ? PHYSICAL_ATTACKS_DECLARED[kind].sizeMeaning : f.help;
  const range = f.max === undefined ? undefined : `${f.min}-${f.max}`;
  const alone = name === 'keepDetectable' ? `${KEEP_DETECTABLE_WEIGHT} when given alone` : undefined;
  const about = [[f.unit, range].filter(Boolean).join(' '), alone, defaultsText(kind, name)].filter(Boolean).join('; ');
  return { flags: `${f.flag} ${f.placeholder}`, description: `${meaning} (${about})` };
}

/** A numeric flag's value, checked against the declared range. */
export function parseNumberFlag(name: PhysicalNumber, text: string): number {
  const f = PHYSICAL_NUMBER_FIELDS[name];
  const v = f.integer ? parseNonNegativeInt(f.flag, text) : parseNumber(f.flag, text);
  const low = f.exclusiveMin ? !(v > f.min) : v < f.min;
  if (low || (f.max !== undefined && v > f.max)) {
    const range = f.max === undefined ? (f.exclusiveMin ? `> ${f.min}` : `>= ${f.min}`) : `between ${f.min} and ${f.max}`;
    throw new UserError(`${f.flag}: '${text}' must be ${range}`);
  }
  return v;
}

/** `patchlab attack patch|sticker|glasses`, on the shared attack group. */
export function registerPhysicalAttacks(attack: Command): void {
  for (const kind of ATTACK_KINDS) {
    const number = (name: PhysicalNumber): [string, string] => {
      const o = numberOption(kind, name);
      return [o.flags, o.description];
    };
    attack
      .command(kind)
      .description(PHYSICAL_ATTACKS_DECLARED[kind].summary)
      .option('--model <model>', 'model to attack: registry name or .onnx path')
      .option('--goal <goal>', `${GOALS_OF[kind].join('|')} (default: ${GOALS_OF[kind][0]})`)
      .option('--class <class>', 'class to hide, or whose objects carry the patch (e.g. person)')
      .option('--target <target>', 'class to make the model see; for glasses/impersonate, a photo of the person to become')
      .option('--scenes <dir>', 'folder of scene images (or comma-separated files)')
      .option('--shape <shape>', `square, circle, rect:ASPECT, mask:FILE.png, eyeglasses[:classic|thick] (${defaultsText(kind, 'shape')})`)
      .option(...number('size'))
      .option(...number('resolution'))
      .option('--export-size <px>', 'patch.png longer side in pixels (1024)')
      .option('--placement <where>', 'patch on each detected object: box (adversarial-yolo: centred on the box, default) or torso (on the chest from movenet keypoints, box where they are missing)')
      .option('--quad <x1,y1,...,x4,y4>', 'place the patch on this quad (original scene pixels) instead of detected objects')
      .option(...number('steps'))
      .option(...number('batch'))
      .option('--epochs <n>', 'passes over the training scenes (sets the steps from the data size instead of --steps)')
      .option('--val-scenes <scenes>', 'validation scenes (e.g. set:NAME:val): scored every --val-every steps, best patch kept, early stop')
      .option('--val-every <n>', 'steps between validation rounds (50)')
      .option('--val-patience <n>', 'validation rounds without improvement before stopping (4)')
      .option('--sample-by <what>', `training views draw a scene uniformly (scenes) or a source first, then one of its scenes (sources: a long video cannot crowd out the photos) (${defaultsText(kind, 'sampleBy')})`)
      .option('--seed <n>', 'random seed (same seed, same run)')
      .option('--eot <spec>', `transform ranges, e.g. rotation=20,tilt=30,scale=0.8:1.2,brightness=0.3,blur=1,noise=0.03 (or none)${placementEotText(kind)}`)
      .option('--optimizer <kind>', 'adam or pgd (sign steps)')
      .option(...number('lr'))
      .option('--schedule <kind>', 'learning-rate schedule: constant, cosine or step')
      .option(...number('nps'))
      .option(...number('tv'))
      .option('--palette <file>', 'printable colours (palette JSON); the shipped default otherwise')
      .option('--disguise <image>', 'keep the patch close to this image (L2)')
      .option('--disguise-weight <weight>', 'weight of the disguise term (default 1 with --disguise)')
      .option('--init <init>', `starting texture: random, gray or #rrggbb (${defaultsText(kind, 'init')})`)
      .option('--checkpoint-every <n>', 'steps between checkpoints (10)')
      .option('--hide-loss <kind>', `hide objective: tiles (every object above half the threshold at once), max (largest class score, adversarial-yolo), topk (the k strongest peaks), or on YOLO-style heads obj, cls, obj-cls (adversarial-yolo's three) (${defaultsText(kind, 'hideLoss')})`)
      .option('--hide-top-k <k>', 'with --hide-loss topk: how many of the strongest class peaks per view to push down (3)')
      .option('--away-from-wearer <weight>', "impersonate: push away from the wearer's own face by this much per unit pulled towards the target (0.5)")
      .option(...number('keepDetectable'))
      .option('--ensemble <models>', 'further models to train against at once, comma-separated (e.g. --model centernet --ensemble nanodet): each adds its loss for the same goal')
      .option('--early-stop <rate>', 'stop once batch success over the last 10 steps reaches this (e.g. 0.95)')
      .option('--out <dir>', 'run folder to create')
      .option('--resume <dir>', 'continue a stopped or killed run from its last checkpoint')
      .option('--json', 'print the result as JSON')
      .action(async (flags: AttackFlags) => {
        const controller = new AbortController();
        const onSigint = (): void => {
          if (controller.signal.aborted) process.exit(130);
          note('\npausing: writing a checkpoint (Ctrl-C again to quit at once)');
          controller.abort();
        };
        process.on('SIGINT', onSigint);
        const bar = progressBar();
        try {
          const options = { signal: controller.signal, onProgress: bar.update, onNote: (m: string) => bar.log(m), previewEvery: 0 };
          let result: PhysicalRunResult;
          if (flags.resume) {
            if (flags.out) throw new UserError('--resume continues a run in its own folder; drop --out');
            result = await resumePhysicalAttack(flags.resume, { ...options, steps: flags.steps ? parsePositiveInt('--steps', flags.steps) : undefined });
          } else {
            result = await runPhysicalAttack(attackInput(kind, flags), requireFlag(flags.out, '--out'), options);
          }
          bar.stop();
          report(kind, result, flags.json, flags.resume ? undefined : flags.scenes);
        } finally {
          bar.stop();
          process.off('SIGINT', onSigint);
        }
      });
  }
}

/** "; --placement torso adds crop=0.6:1,flip=0.5": the EOT a placement adds to the defaults, from the declaration. */
function placementEotText(kind: AttackKind): string {
  return PATCH_PLACEMENTS.map((p) => {
    const eot = PHYSICAL_ATTACKS_DECLARED[kind].placementDefaults?.[p]?.eot;
    return eot ? `; --placement ${p} adds ${formatEot(eot)}` : '';
  }).join('');
}

function requireFlag(value: string | undefined, flag: string): string {
  if (!value) throw new UserError(`${flag} is required`);
  return value;
}

/** The flags that say what a patch attacks and how it looks, as `attack` and `eval` both take them. */
export function goalAndShapeFlags(f: Pick<AttackFlags, 'goal' | 'class' | 'target' | 'shape' | 'size'>): Pick<PhysicalAttackInput, 'goal' | 'class' | 'target' | 'shape' | 'size'> {
  const out: Pick<PhysicalAttackInput, 'goal' | 'class' | 'target' | 'shape' | 'size'> = {};
  if (f.goal) out.goal = parseChoice('--goal', f.goal, GOALS);
  if (f.class) out.class = f.class;
  if (f.target) out.target = f.target;
  if (f.shape) out.shape = parseShape(f.shape);
  if (f.size) out.size = parseNumberFlag('size', f.size);
  return out;
}

export function attackInput(kind: AttackKind, f: AttackFlags): PhysicalAttackInput {
  const input: PhysicalAttackInput = { attack: kind, model: requireFlag(f.model, '--model'), scenes: requireFlag(f.scenes, '--scenes'), ...goalAndShapeFlags(f) };
  if (f.resolution) input.resolution = parseNumberFlag('resolution', f.resolution);
  if (f.exportSize) input.exportSize = parsePositiveInt('--export-size', f.exportSize);
  if (f.placement) input.placement = { kind: 'detect', on: parseChoice('--placement', f.placement, PATCH_PLACEMENTS) };
  if (f.quad) input.placement = { kind: 'quad', quad: parseList('--quad', f.quad, 8) };
  if (f.steps) input.steps = parseNumberFlag('steps', f.steps);
  if (f.batch) input.batch = parseNumberFlag('batch', f.batch);
  if (f.epochs) input.epochs = positive('--epochs', f.epochs);
  if (f.valScenes) input.valScenes = f.valScenes;
  if (f.valEvery) input.valEvery = parsePositiveInt('--val-every', f.valEvery);
  if (f.valPatience) input.valPatience = parsePositiveInt('--val-patience', f.valPatience);
  if (f.sampleBy) input.sampleBy = parseChoice('--sample-by', f.sampleBy, SAMPLE_BY);
  if (f.seed) input.seed = parseNonNegativeInt('--seed', f.seed);
  if (f.eot) input.eot = parseEot(f.eot);
  const optimiser: PhysicalAttackInput['optimiser'] = {};
  if (f.optimizer) optimiser.kind = parseChoice('--optimizer', f.optimizer, ['adam', 'pgd'] as const);
  if (f.lr) optimiser.lr = parseNumberFlag('lr', f.lr);
  if (f.schedule) optimiser.schedule = parseChoice('--schedule', f.schedule, ['constant', 'cosine', 'step'] as const);
  input.optimiser = optimiser;
  const weights: PhysicalAttackInput['weights'] = {};
  if (f.nps) weights.nps = parseNumberFlag('nps', f.nps);
  if (f.tv) weights.tv = parseNumberFlag('tv', f.tv);
  if (f.disguise) weights.disguise = f.disguiseWeight ? nonNegative('--disguise-weight', f.disguiseWeight) : 1;
  input.weights = weights;
  if (f.palette) input.palette = f.palette;
  if (f.disguise) input.disguise = f.disguise;
  if (f.init) input.init = f.init;
  if (f.checkpointEvery) input.checkpointEvery = parsePositiveInt('--checkpoint-every', f.checkpointEvery);
  if (f.earlyStop) input.earlyStop = parseFraction('--early-stop', f.earlyStop);
  if (f.hideLoss) input.hideLoss = parseChoice('--hide-loss', f.hideLoss, HIDE_LOSSES);
  if (f.hideTopK) input.hideTopK = parsePositiveInt('--hide-top-k', f.hideTopK);
  if (f.ensemble) input.ensemble = f.ensemble.split(',').map((m) => m.trim()).filter((m) => m.length > 0);
  if (f.awayFromWearer) input.awayFromWearer = parseNumber('--away-from-wearer', f.awayFromWearer);
  if (f.keepDetectable !== undefined) input.keepDetectable = f.keepDetectable === true ? KEEP_DETECTABLE_WEIGHT : parseNumberFlag('keepDetectable', String(f.keepDetectable));
  return input;
}

function positive(flag: string, text: string): number {
  const v = parseNumber(flag, text);
  if (!(v > 0)) throw new UserError(`${flag}: '${text}' must be positive`);
  return v;
}

function nonNegative(flag: string, text: string): number {
  const v = parseNumber(flag, text);
  if (v < 0) throw new UserError(`${flag}: '${text}' must be >= 0`);
  return v;
}

/** A cli-progress bar on stderr: step, loss, batch success, steps/s and ETA. */
export function progressBar(): { update: (p: PhysicalProgress) => void; log: (m: string) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      format: 'step {value}/{total} |{bar}| loss {loss} | success {success} | {sps} steps/s | ETA {eta_formatted}',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      hideCursor: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(p) {
      const payload = { loss: p.loss.toFixed(4), success: `${Math.round(p.success * 100)}%`.padStart(4), sps: p.stepsPerSecond.toFixed(2) };
      if (!started) {
        bar.start(p.steps, p.step, payload);
        started = true;
      } else bar.update(p.step, payload);
    },
    log(m) {
      // A note printed mid-bar would be overwritten on a terminal: end the bar's line first.
      if (started && !stopped && process.stderr.isTTY) {
        bar.stop();
        started = false;
      }
      note(m);
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}

function report(kind: AttackKind, r: PhysicalRunResult, json?: boolean, scenes?: string): void {
  if (json) return printJson(r);
  if (r.status === 'paused') {
    println(`paused after ${r.stepsDone} steps; continue with: patchlab attack ${kind} --resume ${r.dir}`);
    return;
  }
  println(`run:     ${r.dir}`);
  println(`patch:   ${r.dir}/patch.png`);
  println(`samples: ${r.dir}/samples.png`);
  println(`steps:   ${r.stepsDone}${r.earlyStopped ? ' (early stop)' : ''}; batch success over the last 10 steps ${(r.recentSuccess * 100).toFixed(0)}%`);
  println(`next:    ${nextStep(r.dir, scenes)}`);
}

/** Trained on a set's split: evaluate on its val split (settings are chosen there; test once, at the end). */
export function nextStep(dir: string, scenes?: string): string {
  const set = scenes ? parseSetSpec(scenes) : undefined;
  if (set?.split === 'train') return `patchlab eval ${dir} --scenes set:${set.set} --split val   (choose settings on val; --split test once, at the end)`;
  return `patchlab eval ${dir} --scenes HELD_OUT_DIR`;
}
