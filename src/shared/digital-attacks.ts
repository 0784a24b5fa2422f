import type { DigitalSettings } from './digital';

/**
 * One declaration per image attack: its name, paper, what it does (the CLI's description and
 * the Digital form's hint), the settings it reads (the form shows exactly these; the CLI flags
 * are checked against them by a test) and its own defaults where they differ from
 * DEFAULT_DIGITAL_SETTINGS. The engine's catalog, resolveAttackSettings, the CLI and the
 * Digital screen all derive from this table.
 */
export interface ImageAttackDeclaration {
  label: string;
  paper: string;
  /** One line for `patchlab attack <name> --help`. */
  summary: string;
  /** One line under the Digital form's attack picker. */
  hint: string;
  /** Settings the attack reads, in the form's order. */
  fields: readonly (keyof DigitalSettings)[];
  /** Needs input gradients (the others only query the model). */
  gradients: boolean;
  /** Defaults of its own, over DEFAULT_DIGITAL_SETTINGS (an L2 budget always defaults to 1). */
  defaults?: Partial<DigitalSettings>;
}

export const IMAGE_ATTACK_NAMES = ['fgsm', 'bim', 'pgd', 'apgd-ce', 'apgd-dlr', 'mifgsm', 'jsma', 'deepfool', 'cw', 'square', 'hopskipjump'] as const;
export type ImageAttackName = (typeof IMAGE_ATTACK_NAMES)[number];

export const IMAGE_ATTACKS_DECLARED: Record<ImageAttackName, ImageAttackDeclaration> = {
  fgsm: {
    label: 'FGSM',
    paper: 'Goodfellow et al. 2015',
    summary: 'Fast Gradient Sign Method: one eps-sized step along the sign of the gradient (targeted with --target)',
    hint: 'one eps-sized step along the sign of the gradient',
    fields: ['eps'],
    gradients: true,
  },
  bim: {
    label: 'BIM',
    paper: 'Kurakin et al. 2017',
    summary: 'Basic Iterative Method: repeated small FGSM steps, projected onto the eps-ball (PGD without random start)',
    hint: 'iterated FGSM steps projected onto the eps-ball',
    fields: ['norm', 'eps', 'steps', 'stepSize'],
    gradients: true,
  },
  pgd: {
    label: 'PGD',
    paper: 'Madry et al. 2018',
    summary: 'Projected Gradient Descent, L-inf or L2, from a random point of the eps-ball',
    hint: 'projected gradient descent from a random point of the eps-ball, L-inf or L2',
    fields: ['norm', 'eps', 'steps', 'stepSize', 'randomStart', 'seed'],
    gradients: true,
  },
  'apgd-ce': {
    label: 'APGD-CE',
    paper: 'Croce & Hein 2020',
    summary: 'Auto-PGD on cross-entropy (Croce & Hein 2020): momentum 0.75, step size halved at checkpoints when progress stalls; no step size to tune',
    hint: 'Auto-PGD on cross-entropy: momentum, step size halved when progress stalls; nothing to tune',
    fields: ['norm', 'eps', 'steps', 'seed'],
    gradients: true,
  },
  'apgd-dlr': {
    label: 'APGD-DLR',
    paper: 'Croce & Hein 2020',
    summary: 'Auto-PGD on the Difference of Logits Ratio loss (Croce & Hein 2020): scale-invariant, resists gradient masking by logit scaling',
    hint: 'Auto-PGD on the scale-invariant difference-of-logits-ratio loss',
    fields: ['norm', 'eps', 'steps', 'seed'],
    gradients: true,
  },
  mifgsm: {
    label: 'MI-FGSM',
    paper: 'Dong et al. 2018',
    summary: 'Momentum Iterative FGSM: iterative sign steps along an accumulated gradient (transfers better)',
    hint: 'iterative sign steps along an accumulated (momentum) gradient; transfers better',
    fields: ['eps', 'steps', 'mu'],
    gradients: true,
    defaults: { steps: 10 },
  },
  jsma: {
    label: 'JSMA',
    paper: 'Papernot et al. 2016',
    summary: 'Jacobian Saliency Map Attack: changes few pixels, two at a time, chosen from the Jacobian (targeted; L0)',
    hint: 'changes few pixels, two at a time, chosen from the Jacobian (L0; targeted)',
    fields: ['theta', 'maxFraction', 'candidates', 'kappa'],
    gradients: true,
    defaults: { candidates: 256, kappa: 2 },
  },
  deepfool: {
    label: 'DeepFool',
    paper: 'Moosavi-Dezfooli et al. 2016',
    summary: 'DeepFool: steps to the nearest linearised decision boundary until the label flips (minimal L2)',
    hint: 'steps to the nearest linearised boundary until the label flips (minimal L2)',
    fields: ['overshoot', 'maxIter', 'candidates'],
    gradients: true,
  },
  cw: {
    label: 'Carlini-Wagner L2',
    paper: 'Carlini & Wagner 2017',
    summary: 'Carlini-Wagner L2: Adam on |delta|^2 + c * margin in tanh space, binary search on c',
    hint: 'Adam on |δ|² + c·margin in tanh space, binary search on c',
    fields: ['kappa', 'searchSteps', 'steps', 'learningRate', 'initialConst'],
    gradients: true,
    defaults: { steps: 100 },
  },
  square: {
    label: 'Square (black-box)',
    paper: 'Andriushchenko et al. 2020',
    summary: 'Square Attack: score-based random search over squares of +-eps (no gradients; counts queries)',
    hint: 'score-based random search over squares of ±eps; no gradients',
    fields: ['eps', 'queries', 'pInit', 'seed'],
    gradients: false,
  },
  hopskipjump: {
    label: 'HopSkipJump (black-box)',
    paper: 'Chen et al. 2020',
    summary: 'HopSkipJump: decision-based, top-1 labels only, walks the boundary towards the image (counts queries)',
    hint: 'decision-based: top-1 labels only, walks the boundary towards the image',
    fields: ['queries', 'initEvals', 'maxEvals', 'gamma', 'seed'],
    gradients: false,
  },
};

/** The command-line flag of each setting (`patchlab attack <name> --step-size ...`). */
export const SETTING_FLAGS: Record<keyof DigitalSettings, string> = {
  eps: '--eps',
  norm: '--norm',
  steps: '--steps',
  stepSize: '--step-size',
  randomStart: '--random-start',
  mu: '--mu',
  theta: '--theta',
  maxFraction: '--max-fraction',
  candidates: '--candidates',
  overshoot: '--overshoot',
  maxIter: '--max-iter',
  kappa: '--kappa',
  searchSteps: '--search-steps',
  learningRate: '--lr',
  initialConst: '--initial-const',
  queries: '--queries',
  pInit: '--p-init',
  initEvals: '--init-evals',
  maxEvals: '--max-evals',
  gamma: '--gamma',
  seed: '--seed',
};
