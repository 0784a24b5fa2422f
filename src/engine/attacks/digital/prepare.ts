import { buildDefences, type DefenceSetup } from '../../defences/build';
import type { DefenceSpec } from '../../defences/parse';
import { UserError } from '../../errors';
import { loadModel, type LoadedModel, type ModelOverrides } from '../../models/loaded';
import type { ClassifierOracle } from '../../classifier/classifier';
import { gradientClassifierForModel } from '../../classifier/model-classifier';

export interface DigitalSetupOptions {
  overrides?: ModelOverrides;
  defences?: readonly DefenceSpec[];
  /** Draws of the defence's randomness averaged per gradient. */
  eot: number;
  bpda: boolean;
  oblivious: boolean;
  seed: number;
  /** Wraps every classifier the attack queries (the lab uses it to stop and pause a run between queries). */
  wrap?: (classifier: ClassifierOracle) => ClassifierOracle;
}

export interface DigitalSetup {
  model: LoadedModel;
  classifier: ClassifierOracle;
  defences?: DefenceSetup;
}

/** The attacked model, its classifier and, when defences are named, the defended chain: what `patchlab attack` and the lab share. */
export async function prepareDigitalAttack(ref: string, options: DigitalSetupOptions): Promise<DigitalSetup> {
  const wrap = options.wrap ?? ((c: ClassifierOracle) => c);
  const model = await loadModel(ref, options.overrides);
  const classifier = wrap(await gradientClassifierForModel(model));
  if (!options.defences || options.defences.length === 0) {
    if (options.eot > 1) throw new UserError('--eot-draws needs a --defence with randomness to average over');
    if (options.oblivious) throw new UserError('--oblivious needs a --defence to be oblivious of');
    return { model, classifier };
  }
  if (options.oblivious && options.eot > 1) throw new UserError('--oblivious and --eot-draws contradict each other: an oblivious attacker does not see the defence');
  const defences = await buildDefences(classifier, options.defences, {
    eot: options.eot,
    bpda: options.bpda,
    oblivious: options.oblivious,
    seed: options.seed,
    loadClassifier: async (other) => wrap(await gradientClassifierForModel(await loadModel(other, options.overrides))),
  });
  return { model, classifier, defences };
}

/**
 * Face models: `patchlab predict` classifies the aligned crop of the largest face, but digital
 * attacks perturb and judge the whole image at the model's size (what `predict --no-align`
 * shows). One line saying so, or undefined for other models.
 */
export function faceInputNote(model: LoadedModel): string | undefined {
  const task = model.manifest.task ?? '';
  if (!task.startsWith('face-') || task === 'face-detection') return undefined;
  return `note: ${model.name} is a face model: this attack perturbs and judges the whole image resized to ${model.width}x${model.height} (what predict --no-align shows), not the aligned crop of the largest face that predict shows by default; give it face crops`;
}

/** A class of the classifier by label (any case) or index; the error lists the labels. */
export function resolveTarget(classifier: ClassifierOracle, text: string | undefined, flag = '--target'): number | undefined {
  if (text === undefined) return undefined;
  const labels = Array.from({ length: classifier.classes }, (_, i) => classifier.labelOf(i));
  const byName = labels.findIndex((l) => l.toLowerCase() === text.toLowerCase());
  if (byName >= 0) return byName;
  const index = Number(text);
  if (text.trim() !== '' && Number.isInteger(index) && index >= 0 && index < classifier.classes) return index;
  throw new UserError(`${flag}: '${text}' is not a class of this model (${labels.slice(0, 12).join(', ')}${labels.length > 12 ? ', ...' : ''})`);
}

/** Transfer: the surrogate is differentiated, the target only judges the written images. */
export async function prepareTransfer(targetRef: string, surrogateRef: string, options: Pick<DigitalSetupOptions, 'overrides' | 'wrap'> = {}): Promise<DigitalSetup & { target: LoadedModel }> {
  const target = await loadModel(targetRef, options.overrides);
  const model = await loadModel(surrogateRef, options.overrides);
  const classifier = await gradientClassifierForModel(model);
  return { target, model, classifier: options.wrap ? options.wrap(classifier) : classifier };
}
