import type { ClassifierOracle } from '../classifier/classifier';
import { BitDepthReduction } from './bit-depth';
import { ConsistencyDetector } from './consistency';
import { EnsembleClassifier } from './ensemble';
import { EotClassifier } from './eot';
import { JpegCompression } from './jpeg';
import { MedianSmoothing } from './median';
import { describeDefences, type DefenceSpec } from './parse';
import { RandomResizePad } from './random-resize';
import type { PixelTransform } from './transform';
import { TransformedClassifier } from './transformed-classifier';

export interface DefenceOptions {
  /** Draws averaged per gradient (EOT); 1 attacks a single draw. */
  eot?: number;
  /** Straight-through gradients for non-differentiable steps (default true). */
  bpda?: boolean;
  seed?: number;
  /**
   * A non-adaptive attacker: craft against the undefended model and only meet the defence when
   * judged (the baseline adaptive attacks are compared with).
   */
  oblivious?: boolean;
  /** Loads the extra models an `ensemble` names, as classifiers. */
  loadClassifier?: (ref: string) => Promise<ClassifierOracle>;
}

export interface DefenceSetup {
  /** What an attack should differentiate: the defended model, averaged over `eot` draws. */
  attacked: ClassifierOracle;
  /** The defended model as deployed: one random draw per call, independent of the attack's. */
  deployed: ClassifierOracle;
  /** Present with `consistency`: flags inputs whose predictions vary across randomised passes. */
  detector?: ConsistencyDetector;
  detectorFalsePositiveRate?: number;
  /** The deployed model draws fresh randomness per call (judge it over several draws). */
  randomised: boolean;
  description: string;
}

/** Turns parsed `--defence` items into input transforms (the ones that rewrite pixels). */
export function transformsOf(specs: readonly DefenceSpec[]): PixelTransform[] {
  const out: PixelTransform[] = [];
  for (const d of specs) {
    if (d.kind === 'random-resize') out.push(new RandomResizePad({ minScale: d.minScale, pad: 0 }));
    else if (d.kind === 'jpeg') out.push(new JpegCompression(d.quality));
    else if (d.kind === 'bit-depth') out.push(new BitDepthReduction(d.bits));
    else if (d.kind === 'median') out.push(new MedianSmoothing(d.size));
  }
  return out;
}

/**
 * Wraps a classifier in the defences: an ensemble (if named) replaces the model, input
 * transforms run in the order given, a consistency detector watches the result.
 */
export async function buildDefences(base: ClassifierOracle, specs: readonly DefenceSpec[], options: DefenceOptions = {}): Promise<DefenceSetup> {
  let model = base;
  const ensemble = specs.find((d) => d.kind === 'ensemble');
  if (ensemble) {
    if (!options.loadClassifier) throw new Error('buildDefences: an ensemble needs loadClassifier');
    const others = [];
    for (const ref of ensemble.models) others.push(await options.loadClassifier(ref));
    model = new EnsembleClassifier([base, ...others], ensemble.vote);
  }
  const transforms = transformsOf(specs);
  const seed = options.seed ?? 0;
  const chain = { bpda: options.bpda ?? true };
  const deployed = transforms.length > 0 ? new TransformedClassifier(model, transforms, { ...chain, seed: seed + 1 }) : model;
  const attackedBase = transforms.length > 0 ? new TransformedClassifier(model, transforms, { ...chain, seed: seed + 2 }) : model;
  const eot = options.eot ?? 1;
  const attacked = options.oblivious ? base : eot > 1 ? new EotClassifier(attackedBase, eot) : attackedBase;
  const randomised = transforms.some((t) => t.randomised);
  const consistency = specs.find((d) => d.kind === 'consistency');
  let detector: ConsistencyDetector | undefined;
  if (consistency) {
    // The detector needs randomness: the deployed chain's own, or Xie et al.'s resize-and-pad.
    const randomisedModel = randomised ? deployed : new TransformedClassifier(deployed, [new RandomResizePad({ minScale: 0.9, pad: 0 })], { ...chain, seed: seed + 3 });
    detector = new ConsistencyDetector(randomisedModel, consistency.passes);
  }
  return {
    attacked,
    deployed,
    detector,
    detectorFalsePositiveRate: consistency?.falsePositiveRate,
    randomised,
    description: describeDefences(specs) + (options.oblivious ? ', attacked without it (oblivious)' : eot > 1 ? `, attacked with EOT over ${eot} draws` : ''),
  };
}
