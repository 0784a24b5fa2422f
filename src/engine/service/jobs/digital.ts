import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildAttack, type ImageAttackName } from '../../attacks/digital/catalog';
import type { ClassifierOracle } from '../../attacks/digital/core/classifier';
import { ControlledClassifier } from '../../attacks/digital/controlled-classifier';
import { prepareDigitalAttack, prepareTransfer, resolveTarget, type DigitalSetup } from '../../attacks/digital/prepare';
import { runImages } from '../../attacks/digital/run-images';
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
export function imageAttackOf(p: Pick<DigitalParams, 'attack' | 'via'>): ImageAttackName {
  return p.attack === 'transfer' ? p.via : p.attack;
}

function newRunId(p: DigitalParams): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const what = ['digital', p.attack, p.attack === 'transfer' ? p.surrogate : undefined, p.model].filter(Boolean).join('-').replace(/[^A-Za-z0-9._-]/g, '_');
  return `${what}-${stamp}`.slice(0, 100);
}

function imagePaths(p: DigitalParams): string[] {
  return p.images.map(({ set, image }) => {
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
    const images = imagePaths(p);
    const id = newRunId(p);
    ctx.setRun(id);
    const total = images.length;
    ctx.report({ step: 0, steps: total, loss: {}, message: 'loading the model…' });
    const name = imageAttackOf(p);
    const settings = resolveAttackSettings(name, p.settings);
    const wrap = controlled(ctx);
    const setup: DigitalSetup & { target?: LoadedModel } =
      p.attack === 'transfer'
        ? await prepareTransfer(p.model, p.surrogate as string, { wrap })
        : await prepareDigitalAttack(p.model, { defences: toDefenceSpecs(p.defences), eot: p.eot, bpda: p.bpda, oblivious: p.oblivious, seed: settings.seed, wrap });
    const target = resolveTarget(setup.classifier, p.target, 'target');
    ctx.report({ step: 0, steps: total, loss: {}, message: `attacking ${total} image${total === 1 ? '' : 's'}…` });
    const started = Date.now();
    let wins = 0;
    let attacked = 0;
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
      onProgress: (done, of, result) => {
        if (!result.skipped) {
          attacked++;
          if (result.defended ? result.defended.success >= 0.5 : result.success) wins++;
        }
        const perImage = (Date.now() - started) / 1000 / done;
        ctx.report({
          step: done,
          steps: of,
          loss: {},
          ...(attacked > 0 ? { success: wins / attacked } : {}),
          stepsPerSecond: perImage > 0 ? 1 / perImage : undefined,
          etaSeconds: perImage * (of - done),
          message: `${done} / ${of} images`,
        });
      },
    });
    return { run: id, result: { summary } };
  },
};
