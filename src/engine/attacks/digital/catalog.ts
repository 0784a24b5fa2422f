import { DEFAULT_DIGITAL_SETTINGS } from '../../../shared/digital';
import { IMAGE_ATTACK_NAMES, IMAGE_ATTACKS_DECLARED, type ImageAttackName } from '../../../shared/digital-attacks';
import { apgd } from './apgd';
import { carliniWagnerL2 } from './cw';
import { deepFool } from './deepfool';
import { fgsm } from './fgsm';
import { hopSkipJump } from './hopskipjump';
import { jsma } from './jsma';
import { miFgsm } from './mifgsm';
import { pgd } from './pgd';
import type { Norm } from '../../classifier/batch';
import type { DigitalAttack } from './run-images';
import { squareAttack } from './square';

/** Every knob of every image attack, as the CLI and the service pass them. */
export interface AttackSettings {
  eps: number;
  norm: Norm;
  steps: number;
  stepSize?: number;
  randomStart: boolean;
  mu: number;
  theta: number;
  maxFraction: number;
  candidates: number;
  overshoot: number;
  maxIter: number;
  kappa: number;
  searchSteps: number;
  learningRate: number;
  initialConst: number;
  queries: number;
  pInit: number;
  initEvals: number;
  maxEvals: number;
  gamma: number;
  seed: number;
}

/** The command line's defaults (per-attack defaults such as C&W's 100 steps: resolveAttackSettings). */
export const DEFAULT_SETTINGS: AttackSettings = DEFAULT_DIGITAL_SETTINGS;

/** The image attacks, in the order src/shared/digital-attacks.ts declares them. */
export const IMAGE_ATTACKS = IMAGE_ATTACK_NAMES;
export type { ImageAttackName };

/** Attacks that need input gradients (the rest only query the model): the declared ones, universal and transfer. */
export const GRADIENT_ATTACKS: ReadonlySet<string> = new Set([...IMAGE_ATTACK_NAMES.filter((n) => IMAGE_ATTACKS_DECLARED[n].gradients), 'universal', 'transfer']);

/** The attack the image runner drives, from its name and settings. */
export function buildAttack(name: ImageAttackName, s: AttackSettings): DigitalAttack {
  // run.json records the settings the attack reads (its declared fields), not the whole table.
  const settings = Object.fromEntries(IMAGE_ATTACKS_DECLARED[name].fields.map((f) => [f, s[f]]));
  return { name, ...runnerOf(name, s), settings };
}

type Runner = Omit<DigitalAttack, 'name' | 'settings'>;

/** Budgeted attacks stay inside an eps-ball (an L-inf budget is enforced on the written 8-bit image too). */
function budgeted(run: DigitalAttack['run'], linfBudget: number | undefined): Runner {
  return { run, linfBudget, minimumNorm: false, upsample: 'bilinear' };
}

/** Minimum-norm attacks land on the decision boundary (the runner may scale them up to survive rounding). */
function minimumNorm(run: DigitalAttack['run']): Runner {
  return { run, minimumNorm: true, upsample: 'bilinear' };
}

function runnerOf(name: ImageAttackName, s: AttackSettings): Runner {
  const linf = s.norm === 'linf' ? s.eps : undefined;
  switch (name) {
    case 'fgsm':
      return budgeted((input) => fgsm(input, { eps: s.eps }), s.eps);
    case 'bim':
    case 'pgd':
      return budgeted((input) => pgd(input, { eps: s.eps, norm: s.norm, steps: s.steps, stepSize: s.stepSize, randomStart: name === 'pgd' && s.randomStart, seed: s.seed }), linf);
    case 'apgd-ce':
    case 'apgd-dlr':
      return budgeted((input) => apgd(input, { eps: s.eps, norm: s.norm, steps: s.steps, loss: name === 'apgd-ce' ? 'ce' : 'dlr', seed: s.seed }), linf);
    case 'mifgsm':
      return budgeted((input) => miFgsm(input, { eps: s.eps, steps: s.steps, mu: s.mu }), s.eps);
    case 'jsma':
      // L0: block upsampling keeps the pixel budget at full resolution.
      return { run: (input) => jsma(input, { theta: s.theta, maxFraction: s.maxFraction, candidates: s.candidates, kappa: s.kappa }), minimumNorm: false, upsample: 'nearest' };
    case 'deepfool':
      return minimumNorm((input) => deepFool(input, { overshoot: s.overshoot, maxIter: s.maxIter, candidates: s.candidates }));
    case 'cw':
      return minimumNorm((input) => carliniWagnerL2(input, { kappa: s.kappa, searchSteps: s.searchSteps, steps: s.steps, learningRate: s.learningRate, initialConst: s.initialConst }));
    case 'square':
      return budgeted((input) => squareAttack(input, { eps: s.eps, maxQueries: s.queries, pInit: s.pInit, seed: s.seed }), s.eps);
    case 'hopskipjump':
      return minimumNorm((input) => hopSkipJump(input, { maxQueries: s.queries, initEvals: s.initEvals, maxEvals: s.maxEvals, gamma: s.gamma, seed: s.seed }));
  }
}
