import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildAttack, type ImageAttackName } from '../../attacks/digital/catalog';
import type { ClassifierOracle } from '../../attacks/digital/core/classifier';
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

function newRunId(p: DigitalParams): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const what = ['digital', p.attack, p.attack === 'transfer' ? p.surrogate : undefined, p.model].filter(Boolean).join('-').replace(/[^A-Za-z0-9._-]/g, '_');
  return `${what}-${stamp}`.slice(0, 100);
}

function imagePaths(images: DigitalParams['images']): string[] {
  return images.map(({ set, image }) => {
    const path = join(sceneSetDir(set), image);
    if (!existsSync(path)) throw new UserError(`scene set '${set}' has no image '${image}'`);
    return path;
  });
}

/** Waits while the user has paused the job and stops it between two model queries once they press Stop. */
function controlled(ctx: JobContext): (classifier: ClassifierOracle) => ClassifierOracle {
  const checkpoint = async (): Promise<void> => {
    await ctx.waitWhilePaused();
    if (ctx.signal.aborted) throw new UserError('stopped');
  };
  return (classifier) => new ControlledClassifier(classifier, checkpoint);
}

/** Progress per written image: images done, the success rate so far, speed and ETA. */
function progressReporter(ctx: JobContext, started: number): (done: number, total: number, result: ImageResult) => void {
  let wins = 0;
  let attacked = 0;
  return (done, total, result) => {
    if (!result.skipped) {
      attacked++;
      if (result.defended ? result.defended.success >= 0.5 : result.success) wins++;
    }
    const perImage = (Date.now() - started) / 1000 / done;
    ctx.report({
      step: done,
      steps: total,
      loss: {},
      ...(attacked > 0 ? { success: wins / attacked } : {}),
      stepsPerSecond: perImage > 0 ? 1 / perImage : undefined,
      etaSeconds: perImage * (total - done),
      message: `${done} / ${total} images`,
    });
  };
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
    const id = newRunId(p);
    ctx.setRun(id);
    const total = images.length + (heldOut?.length ?? 0);
    ctx.report({ step: 0, steps: total, loss: {}, message: 'loading the model…' });
    const wrap = controlled(ctx);
    const started = Date.now();
    const onProgress = progressReporter(ctx, started);
    if (p.attack === 'universal') {
      const seed = p.settings.seed ?? 0;
      const setup = await prepareDigitalAttack(p.model, { defences: toDefenceSpecs(p.defences), eot: p.eot, bpda: p.bpda, oblivious: p.oblivious, seed, wrap });
      const split = heldOut ? { train: images, heldOut } : splitImages(images, p.universal.split, seed);
      ctx.report({ step: 0, steps: total, loss: {}, message: `computing the universal perturbation on ${split.train.length} image${split.train.length === 1 ? '' : 's'}…` });
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
    ctx.report({ step: 0, steps: total, loss: {}, message: `attacking ${total} image${total === 1 ? '' : 's'}…` });
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
