import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ATTACK_KINDS, GOALS, HIDE_LOSSES, KEEP_DETECTABLE_WEIGHT, resolveAttackConfig, type AttackKind, type PhysicalAttackInput } from '../../engine/attacks/config';
import { GOALS_OF } from '../../shared/physical-attacks';
import { resumePhysicalAttack, runPhysicalAttack, type PhysicalProgress, type PhysicalRunResult } from '../../engine/attacks/physical';
import { UserError } from '../../engine/errors';
import { parseShape } from '../../engine/render/shapes';
import { parseEot } from '../eot-option';
import { note, printJson, println } from '../output';
import { parseChoice, parseList, parseNonNegativeInt, parseNumber, parsePositiveInt } from '../parse';

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

const DESCRIPTIONS: Record<AttackKind, string> = {
  patch: 'optimise a universal adversarial patch over a set of scenes (Brown et al.; hide: adversarial-yolo)',
  sticker: 'optimise a sticker confined to a mask on one object (RP2, Eykholt et al.)',
  glasses: 'optimise eyeglass frames against a face descriptor: dodge or impersonate (Sharif et al.)',
};

const SIZE_MEANING: Record<AttackKind, string> = {
  patch: 'patch side as a fraction of the object box diagonal',
  sticker: 'sticker area as a fraction of the object box',
  glasses: 'frame scale',
};

/** The engine's default of one setting per goal of a kind, e.g. "1; impersonate 1.2" (from resolveAttackConfig, not a copy). */
function defaultsText(kind: AttackKind, pick: (c: ReturnType<typeof resolveAttackConfig>) => number): string {
  const valueOf = (goal: PhysicalAttackInput['goal']): number => pick(resolveAttackConfig({ attack: kind, goal, model: 'any', scenes: 'any', class: 'person', target: 'target' }));
  const [first, ...others] = GOALS_OF[kind];
  const base = valueOf(first);
  return [String(base), ...others.filter((g) => valueOf(g) !== base).map((g) => `${g} ${valueOf(g)}`)].join('; ');
}

/** `patchlab attack patch|sticker|glasses`, on the shared attack group. */
export function registerPhysicalAttacks(attack: Command): void {
  for (const kind of ATTACK_KINDS) {
    attack
      .command(kind)
      .description(DESCRIPTIONS[kind])
      .option('--model <model>', 'model to attack: registry name or .onnx path')
      .option('--goal <goal>', `${GOALS_OF[kind].join('|')} (default: ${GOALS_OF[kind][0]})`)
      .option('--class <class>', 'class to hide, or whose objects carry the patch (e.g. person)')
      .option('--target <target>', 'class to make the model see; for glasses/impersonate, a photo of the person to become')
      .option('--scenes <dir>', 'folder of scene images (or comma-separated files)')
      .option('--shape <shape>', 'square, circle, rect:ASPECT, mask:FILE.png, eyeglasses[:classic|thick]')
      .option('--size <fraction>', `${SIZE_MEANING[kind]} (${defaultsText(kind, (c) => c.size)})`)
      .option('--resolution <px>', 'optimised texture size, longer side in texels')
      .option('--export-size <px>', 'patch.png longer side in pixels (1024)')
      .option('--placement <where>', 'patch on each detected object: box (adversarial-yolo: centred on the box, default) or torso (on the chest from movenet keypoints, box where they are missing)')
      .option('--quad <x1,y1,...,x4,y4>', 'place the patch on this quad (original scene pixels) instead of detected objects')
      .option('--steps <n>', `optimisation steps (${defaultsText(kind, (c) => c.steps)})`)
      .option('--batch <n>', 'EOT views per step')
      .option('--epochs <n>', 'passes over the training scenes (sets the steps from the data size instead of --steps)')
      .option('--val-scenes <scenes>', 'validation scenes (e.g. set:NAME:val): scored every --val-every steps, best patch kept, early stop')
      .option('--val-every <n>', 'steps between validation rounds (50)')
      .option('--val-patience <n>', 'validation rounds without improvement before stopping (4)')
      .option('--seed <n>', 'random seed (same seed, same run)')
      .option('--eot <spec>', 'transform ranges, e.g. rotation=20,tilt=30,scale=0.8:1.2,brightness=0.3,blur=1,noise=0.03 (or none)')
      .option('--optimizer <kind>', 'adam or pgd (sign steps)')
      .option('--lr <rate>', `step size in [0,1] pixel units (${defaultsText(kind, (c) => c.optimiser.lr)})`)
      .option('--schedule <kind>', 'learning-rate schedule: constant, cosine or step')
      .option('--nps <weight>', 'non-printability weight')
      .option('--tv <weight>', 'total-variation weight')
      .option('--palette <file>', 'printable colours (palette JSON); the shipped default otherwise')
      .option('--disguise <image>', 'keep the patch close to this image (L2)')
      .option('--disguise-weight <weight>', 'weight of the disguise term (default 1 with --disguise)')
      .option('--init <init>', 'starting texture: random, gray or #rrggbb')
      .option('--checkpoint-every <n>', 'steps between checkpoints (10)')
      .option('--hide-loss <kind>', 'hide objective: tiles (every object above half the threshold at once; patch default), max (largest class score, adversarial-yolo; sticker default), topk (the k strongest peaks), or on YOLO-style heads obj, cls, obj-cls (adversarial-yolo\'s three)')
      .option('--hide-top-k <k>', 'with --hide-loss topk: how many of the strongest class peaks per view to push down (3)')
      .option('--away-from-wearer <weight>', "impersonate: push away from the wearer's own face by this much per unit pulled towards the target (0.5)")
      .option('--keep-detectable [weight]', 'glasses: keep blazeface finding the face, a second model in the loss (weight 0.05 when given alone; impersonate default: on)')
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
          report(kind, result, flags.json);
        } finally {
          bar.stop();
          process.off('SIGINT', onSigint);
        }
      });
  }
}

function requireFlag(value: string | undefined, flag: string): string {
  if (!value) throw new UserError(`${flag} is required`);
  return value;
}

export function attackInput(kind: AttackKind, f: AttackFlags): PhysicalAttackInput {
  const input: PhysicalAttackInput = { attack: kind, model: requireFlag(f.model, '--model'), scenes: requireFlag(f.scenes, '--scenes') };
  if (f.goal) input.goal = parseChoice('--goal', f.goal, GOALS);
  if (f.class) input.class = f.class;
  if (f.target) input.target = f.target;
  if (f.shape) input.shape = parseShape(f.shape);
  if (f.size) input.size = positive('--size', f.size);
  if (f.resolution) input.resolution = parsePositiveInt('--resolution', f.resolution);
  if (f.exportSize) input.exportSize = parsePositiveInt('--export-size', f.exportSize);
  if (f.placement) input.placement = { kind: 'detect', on: parseChoice('--placement', f.placement, ['box', 'torso'] as const) };
  if (f.quad) input.placement = { kind: 'quad', quad: parseList('--quad', f.quad, 8) };
  if (f.steps) input.steps = parsePositiveInt('--steps', f.steps);
  if (f.batch) input.batch = parsePositiveInt('--batch', f.batch);
  if (f.epochs) input.epochs = positive('--epochs', f.epochs);
  if (f.valScenes) input.valScenes = f.valScenes;
  if (f.valEvery) input.valEvery = parsePositiveInt('--val-every', f.valEvery);
  if (f.valPatience) input.valPatience = parsePositiveInt('--val-patience', f.valPatience);
  if (f.seed) input.seed = parseNonNegativeInt('--seed', f.seed);
  if (f.eot) input.eot = parseEot(f.eot);
  const optimiser: PhysicalAttackInput['optimiser'] = {};
  if (f.optimizer) optimiser.kind = parseChoice('--optimizer', f.optimizer, ['adam', 'pgd'] as const);
  if (f.lr) optimiser.lr = positive('--lr', f.lr);
  if (f.schedule) optimiser.schedule = parseChoice('--schedule', f.schedule, ['constant', 'cosine', 'step'] as const);
  input.optimiser = optimiser;
  const weights: PhysicalAttackInput['weights'] = {};
  if (f.nps) weights.nps = nonNegative('--nps', f.nps);
  if (f.tv) weights.tv = nonNegative('--tv', f.tv);
  if (f.disguise) weights.disguise = f.disguiseWeight ? nonNegative('--disguise-weight', f.disguiseWeight) : 1;
  input.weights = weights;
  if (f.palette) input.palette = f.palette;
  if (f.disguise) input.disguise = f.disguise;
  if (f.init) input.init = f.init;
  if (f.checkpointEvery) input.checkpointEvery = parsePositiveInt('--checkpoint-every', f.checkpointEvery);
  if (f.earlyStop) input.earlyStop = fraction('--early-stop', f.earlyStop);
  if (f.hideLoss) input.hideLoss = parseChoice('--hide-loss', f.hideLoss, HIDE_LOSSES);
  if (f.hideTopK) input.hideTopK = parsePositiveInt('--hide-top-k', f.hideTopK);
  if (f.ensemble) input.ensemble = f.ensemble.split(',').map((m) => m.trim()).filter((m) => m.length > 0);
  if (f.awayFromWearer) input.awayFromWearer = parseNumber('--away-from-wearer', f.awayFromWearer);
  if (f.keepDetectable !== undefined) input.keepDetectable = f.keepDetectable === true ? KEEP_DETECTABLE_WEIGHT : parseNumber('--keep-detectable', String(f.keepDetectable));
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

function fraction(flag: string, text: string): number {
  const v = parseNumber(flag, text);
  if (v < 0 || v > 1) throw new UserError(`${flag}: '${text}' must be between 0 and 1`);
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

function report(kind: AttackKind, r: PhysicalRunResult, json?: boolean): void {
  if (json) return printJson(r);
  if (r.status === 'paused') {
    println(`paused after ${r.stepsDone} steps; continue with: patchlab attack ${kind} --resume ${r.dir}`);
    return;
  }
  println(`run:     ${r.dir}`);
  println(`patch:   ${r.dir}/patch.png`);
  println(`samples: ${r.dir}/samples.png`);
  println(`steps:   ${r.stepsDone}${r.earlyStopped ? ' (early stop)' : ''}; batch success over the last 10 steps ${(r.recentSuccess * 100).toFixed(0)}%`);
  println(`next:    patchlab eval ${r.dir} --scenes HELD_OUT_DIR`);
}
