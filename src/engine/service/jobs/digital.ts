import { existsSync } from 'node:fs';
import { newRunId } from '../../runs/run-id';
import { join } from 'node:path';
import { buildAttack, type ImageAttackName } from '../../attacks/digital/catalog';
import type { ClassifierOracle } from '../../classifier/classifier';
import { ControlledClassifier } from '../../attacks/digital/controlled-classifier';
import { prepareDigitalAttack, prepareTransfer, resolveTarget, type DigitalSetup } from '../../attacks/digital/prepare';
import { runImages, type ImageResult } from '../../attacks/digital/run-images';
import { runUniversal } from '../../attacks/digital/run-universal';
import { resolveUniversalSettings, splitImages } from '../../attacks/digital/universal-settings';
import { resolveAttackSettings } from '../../attacks/digital/settings';
import type { DefenceSpec } from '../../defences/parse';
import { UserError } from '../../errors';
import type { LoadedModel } from '../../models/loaded';
import type { DigitalDefence, ParsedJobRequest } from '../../../shared/index';
import { runDir } from '../handlers/runs';
import { sceneSetDir } from '../handlers/scenes';
import type { JobContext, JobHandler } from '../types';

type DigitalParams = Extract<ParsedJobRequest, { kind: 'digital' }>['params'];

/** The lab's defences in the engine's terms (what `--defence` parses to). */
export function toDefenceSpecs(defences: readonly Required<DigitalDefence>[]): DefenceSpec[] {
  return defences.map((d) => (d.kind === 'consistency' ? { ...d, falsePositiveRate: 0.05 } : d));
}

/** The attack the image runner drives: the named one, or the white-box attack a transfer runs on its surrogate. */
export function imageAttackOf(p: { attack: Exclude<DigitalParams['attack'], 'universal'>; via: DigitalParams['via'] }): ImageAttackName {
  return p.attack === 'transfer' ? p.via : p.attack;
}

function imagePaths(images: DigitalParams['images']): string[] {
  return images.map(({ set, image }) => {
    const path = join(sceneSetDir(set), image);
    if (!existsSync(path)) throw new UserError(`scene set '${set}' has no image '${image}'`);
    return path;
  });
}

/**
 * What the Digital screen shows while a run goes: images done, success so far, speed and ETA
 * after each image, and between images (a C&W search or a query budget can take minutes on one
 * image) the number of model queries, at most twice a second.
 */
class DigitalProgress {
  private done = 0;
  private wins = 0;
  private attacked = 0;
  private queries = 0;
  private lastReport = 0;
  private stageMessage = 'loading the model…';
  private readonly started = Date.now();

  constructor(
    private readonly ctx: JobContext,
    private total: number,
  ) {}

  stage(message: string): void {
    this.stageMessage = message;
    this.report(message);
  }

  image(done: number, total: number, result: ImageResult): void {
    this.done = done;
    this.total = total;
    if (!result.skipped) {
      this.attacked++;
      if (result.defended ? result.defended.success >= 0.5 : result.success) this.wins++;
    }
    this.report(`${done} / ${total} images`);
  }

  query(): void {
    this.queries++;
    if (Date.now() - this.lastReport < 500) return;
    this.report(`${this.stageMessage.replace(/…$/, '')}: ${this.queries} model queries so far…`);
  }

  private report(message: string): void {
    this.lastReport = Date.now();
    const perImage = this.done > 0 ? (Date.now() - this.started) / 1000 / this.done : undefined;
    this.ctx.report({
      step: this.done,
      steps: this.total,
      loss: {},
      ...(this.attacked > 0 ? { success: this.wins / this.attacked } : {}),
      ...(perImage ? { stepsPerSecond: 1 / perImage, etaSeconds: perImage * (this.total - this.done) } : {}),
      message,
    });
  }
}

/** Counts each model query, waits while the user has paused the job and stops it between two queries once they press Stop. */
function controlled(ctx: JobContext, progress: DigitalProgress): (classifier: ClassifierOracle) => ClassifierOracle {
  const checkpoint = async (): Promise<void> => {
    await ctx.waitWhilePaused();
    if (ctx.signal.aborted) throw new UserError('stopped');
    progress.query();
  };
  return (classifier) => new ControlledClassifier(classifier, checkpoint);
}

/**
 * A digital attack on images of scene sets, run exactly as `patchlab attack <name>` runs it
 * (same setup, settings and runner) with the run folder as `--out`: adversarial PNGs,
 * perturbations x10, panels and results.json.
 */
export const digitalJob: JobHandler<'digital'> = {
  kind: 'digital',
  capability: () => ({ available: true }),
  title: (p) =>
    `${p.attack === 'transfer' ? `transfer (${p.via}) ${p.surrogate} → ${p.model}` : `${p.attack} vs ${p.model}`}: ${p.images.length} image${p.images.length === 1 ? '' : 's'}${p.target ? ` → ${p.target}` : ''}${p.defences.length > 0 ? `, ${p.defences.map((d) => d.kind).join(' + ')}` : ''}`,
  execute: async (p, ctx) => {
    const images = imagePaths(p.images);
    const heldOut = p.heldOut ? imagePaths(p.heldOut) : undefined;
    const id = newRunId(['digital', p.attack, p.attack === 'transfer' ? p.surrogate : undefined, p.model]);
    ctx.setRun(id);
    const progress = new DigitalProgress(ctx, images.length + (heldOut?.length ?? 0));
    progress.stage('loading the model…');
    const wrap = controlled(ctx, progress);
    const onProgress = progress.image.bind(progress);
    if (p.attack === 'universal') {
      const seed = p.settings.seed ?? 0;
      const setup = await prepareDigitalAttack(p.model, { defences: toDefenceSpecs(p.defences), eot: p.eot, bpda: p.bpda, oblivious: p.oblivious, seed, wrap });
      const split = heldOut ? { train: images, heldOut } : splitImages(images, p.universal.split, seed);
      progress.stage(`computing the universal perturbation on ${split.train.length} image${split.train.length === 1 ? '' : 's'}…`);
      const { summary } = await runUniversal({
        ...setup,
        ...split,
        mirror: p.universal.mirror,
        out: runDir(id),
        settings: resolveUniversalSettings({ ...p.settings, method: p.universal.method, foolingRate: p.universal.foolingRate, maxPasses: p.universal.maxPasses }),
        batch: p.batch,
        judgeDraws: p.judgeDraws,
        onProgress,
      });
      return { run: id, result: { summary } };
    }
    const name = imageAttackOf({ attack: p.attack, via: p.via });
    const settings = resolveAttackSettings(name, p.settings);
    const setup: DigitalSetup & { target?: LoadedModel } =
      p.attack === 'transfer'
        ? await prepareTransfer(p.model, p.surrogate as string, { wrap })
        : await prepareDigitalAttack(p.model, { defences: toDefenceSpecs(p.defences), eot: p.eot, bpda: p.bpda, oblivious: p.oblivious, seed: settings.seed, wrap });
    const target = resolveTarget(setup.classifier, p.target, 'target');
    progress.stage(`attacking ${images.length} image${images.length === 1 ? '' : 's'}…`);
    const { summary } = await runImages({
      model: setup.model,
      classifier: setup.classifier,
      defences: setup.defences,
      transferTo: setup.target,
      attack: buildAttack(name, settings),
      images,
      out: runDir(id),
      target,
      batch: p.batch,
      judgeDraws: p.attack === 'transfer' ? 1 : p.judgeDraws,
      onProgress,
    });
    return { run: id, result: { summary } };
  },
};
