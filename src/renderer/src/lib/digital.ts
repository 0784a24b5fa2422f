import { IMAGE_ATTACK_NAMES, IMAGE_ATTACKS_DECLARED, type ImageAttackName } from '../../../shared/digital-attacks';
import { DEFAULT_DIGITAL_SETTINGS, type DigitalAttackName, type DigitalAttackParams, type DigitalDefence, type DigitalSettings } from '../../../shared/digital';

type Via = 'fgsm' | 'bim' | 'pgd' | 'mifgsm';

/** The Digital screen's form; kept on the Lab so it survives switching screens. Budgets are shown in 8-bit levels (/255) for L-inf. */
export interface DigitalForm {
  model: string;
  attack: DigitalAttackName;
  via: Via;
  surrogate: string;
  /** Scene set the image picker shows; the chosen images may come from several sets. */
  set: string;
  images: { set: string; image: string }[];
  /** Class label or index; empty for an untargeted attack. */
  target: string;
  settings: DigitalSettings;
  defences: DefenceForm;
  universal: { method: 'sgd' | 'deepfool'; split: number; mirror: boolean; foolingRate: number; maxPasses: number };
  eot: number;
  bpda: boolean;
  oblivious: boolean;
  judgeDraws: number;
  batch: number;
}

/** Each defence on or off with its parameter; they apply in this order (as `--defence` lists them). */
export interface DefenceForm {
  randomResize: { on: boolean; minScale: number };
  jpeg: { on: boolean; quality: number };
  bitDepth: { on: boolean; bits: number };
  median: { on: boolean; size: number };
  ensemble: { on: boolean; models: string[]; vote: 'soft' | 'majority' };
  consistency: { on: boolean; passes: number };
}

/** The settings each attack reads (its declaration); the form shows these and sends only these. */
export const ATTACK_FIELDS: Record<Via | ImageAttackName, readonly (keyof DigitalSettings)[]> = Object.fromEntries(IMAGE_ATTACK_NAMES.map((n) => [n, IMAGE_ATTACKS_DECLARED[n].fields])) as Record<ImageAttackName, readonly (keyof DigitalSettings)[]>;

export const ATTACKS: { value: DigitalAttackName; label: string; hint: string }[] = [
  ...IMAGE_ATTACK_NAMES.map((n) => ({ value: n, label: IMAGE_ATTACKS_DECLARED[n].label, hint: IMAGE_ATTACKS_DECLARED[n].hint })),
  { value: 'transfer', label: 'Transfer (black-box)', hint: 'craft on a surrogate with gradients, judge on the model, which is never differentiated' },
  { value: 'universal', label: 'Universal perturbation', hint: 'one perturbation for a whole set: computed on part of the images, judged on the held-out rest' },
];

/** Labels and input ranges of each setting, in the form's units. */
export const FIELD_INFO: Record<keyof DigitalSettings, { label: string; min?: number; max?: number; step?: number }> = {
  eps: { label: 'Epsilon', min: 0, step: 0.5 },
  norm: { label: 'Norm' },
  steps: { label: 'Steps', min: 1, max: 100000, step: 1 },
  stepSize: { label: 'Step size', min: 0, step: 0.1 },
  randomStart: { label: 'Random start' },
  mu: { label: 'Momentum μ', min: 0, max: 10, step: 0.1 },
  theta: { label: 'θ (change per pixel)', min: -1, max: 1, step: 0.1 },
  maxFraction: { label: 'Max pixels changed', min: 0.001, max: 1, step: 0.01 },
  candidates: { label: 'Candidates', min: 1, step: 1 },
  overshoot: { label: 'Overshoot', min: 0, max: 10, step: 0.01 },
  maxIter: { label: 'Max iterations', min: 1, step: 1 },
  kappa: { label: 'κ (confidence)', min: 0, step: 0.5 },
  searchSteps: { label: 'Search steps on c', min: 1, max: 100, step: 1 },
  learningRate: { label: 'Learning rate', min: 0.0001, max: 10, step: 0.001 },
  initialConst: { label: 'Initial c', min: 0.0001, step: 0.01 },
  queries: { label: 'Query budget', min: 1, step: 100 },
  pInit: { label: 'Initial square size', min: 0.001, max: 1, step: 0.01 },
  initEvals: { label: 'Initial probes', min: 1, step: 10 },
  maxEvals: { label: 'Max probes', min: 1, step: 10 },
  gamma: { label: 'γ', min: 0.01, step: 0.1 },
  seed: { label: 'Seed', min: 0, step: 1 },
};

/** The settings the form's attack reads (a transfer: its white-box attack's on the surrogate; universal: its method's). */
export function fieldsOf(form: Pick<DigitalForm, 'attack' | 'via' | 'universal'>): readonly (keyof DigitalSettings)[] {
  if (form.attack === 'universal') return form.universal.method === 'sgd' ? ['norm', 'eps', 'steps'] : ['norm', 'eps', 'overshoot', 'maxIter', 'seed'];
  return ATTACK_FIELDS[form.attack === 'transfer' ? form.via : form.attack];
}

/** Whether an L-inf budget is in play: the form then shows eps and the step size in /255. */
export function inLevels(form: Pick<DigitalForm, 'attack' | 'via' | 'universal' | 'settings'>): boolean {
  return !fieldsOf(form).includes('norm') || form.settings.norm === 'linf';
}

/** Engine settings (pixel units) in the form's units: L-inf budgets and steps as 8-bit levels. */
export function toFormSettings(engine: DigitalSettings): DigitalSettings {
  const scale = engine.norm === 'linf' ? 255 : 1;
  return { ...engine, eps: round(engine.eps * scale), ...(engine.stepSize !== undefined ? { stepSize: round(engine.stepSize * scale) } : {}) };
}

const round = (v: number): number => Math.round(v * 1e4) / 1e4;

export const DEFAULT_DEFENCES: DefenceForm = {
  randomResize: { on: false, minScale: 0.9 },
  jpeg: { on: false, quality: 75 },
  bitDepth: { on: false, bits: 4 },
  median: { on: false, size: 3 },
  ensemble: { on: false, models: [], vote: 'soft' },
  consistency: { on: false, passes: 10 },
};

export function defencesOf(d: DefenceForm): DigitalDefence[] {
  const out: DigitalDefence[] = [];
  if (d.ensemble.on && d.ensemble.models.length > 0) out.push({ kind: 'ensemble', models: [...d.ensemble.models], vote: d.ensemble.vote });
  if (d.randomResize.on) out.push({ kind: 'random-resize', minScale: d.randomResize.minScale });
  if (d.jpeg.on) out.push({ kind: 'jpeg', quality: d.jpeg.quality });
  if (d.bitDepth.on) out.push({ kind: 'bit-depth', bits: d.bitDepth.bits });
  if (d.median.on) out.push({ kind: 'median', size: d.median.size });
  if (d.consistency.on) out.push({ kind: 'consistency', passes: d.consistency.passes });
  return out;
}

/** The request the form describes: only the chosen attack's settings, budgets back in pixel units. */
export function toDigitalParams(form: DigitalForm): DigitalAttackParams {
  const fields = fieldsOf(form);
  const scale = inLevels(form) ? 1 / 255 : 1;
  const settings: Partial<DigitalSettings> = {};
  for (const key of fields) {
    const value = form.settings[key];
    // An emptied number input binds null: the setting then takes the attack's default.
    if (value === undefined || value === null || (typeof value === 'number' && !Number.isFinite(value))) continue;
    (settings as Record<string, unknown>)[key] = key === 'eps' || key === 'stepSize' ? (value as number) * scale : value;
  }
  const transfer = form.attack === 'transfer';
  const defences = transfer ? [] : defencesOf(form.defences);
  return {
    model: form.model,
    attack: form.attack,
    images: form.images.map((i) => ({ ...i })),
    ...(form.target.trim() && form.attack !== 'universal' ? { target: form.target.trim() } : {}),
    settings,
    ...(transfer ? { surrogate: form.surrogate, via: form.via } : {}),
    ...(form.attack === 'universal'
      ? { universal: { method: form.universal.method, split: form.universal.split, mirror: form.universal.mirror, ...(form.universal.method === 'deepfool' ? { foolingRate: form.universal.foolingRate, maxPasses: form.universal.maxPasses } : {}) } }
      : {}),
    defences,
    eot: defences.length > 0 && !form.oblivious ? form.eot : 1,
    bpda: form.bpda,
    oblivious: defences.length > 0 && form.oblivious,
    judgeDraws: form.judgeDraws,
    batch: form.batch,
  };
}

export const INITIAL_DIGITAL: DigitalForm = {
  model: '',
  attack: 'fgsm',
  via: 'mifgsm',
  surrogate: '',
  set: 'samples',
  images: [],
  target: '',
  settings: toFormSettings(DEFAULT_DIGITAL_SETTINGS),
  defences: structuredClone(DEFAULT_DEFENCES),
  universal: { method: 'sgd', split: 0.5, mirror: false, foolingRate: 0.8, maxPasses: 10 },
  eot: 1,
  bpda: true,
  oblivious: false,
  judgeDraws: 10,
  batch: 8,
};
