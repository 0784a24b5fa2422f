import type { EotRanges } from '../../../shared/jobs';

/** The Design screen's form; kept on the Lab so it survives switching screens. */
export interface DesignForm {
  model: string;
  attack: 'patch' | 'sticker' | 'glasses';
  goal: 'hide' | 'target' | 'untargeted' | 'dodge' | 'impersonate';
  className: string;
  target: string;
  scenes: string;
  shape: 'square' | 'rectangle' | 'circle';
  size: number;
  resolution: number;
  steps: number;
  batch: number;
  eot: EotRanges;
  seed: number;
  palette: string;
  learningRate: number;
}

/** The engine's defaults (src/engine/render/eot.ts), in the form's terms. */
export const DEFAULT_EOT: EotRanges = { rotation: 20, tilt: 30, scaleMin: 0.8, scaleMax: 1.2, brightness: 0.15, contrast: 0.2, noise: 0.03, blur: 1 };

/** The first-run demo: hide people from centernet with a square patch under default EOT. */
export const DEMO: DesignForm = {
  model: 'centernet',
  attack: 'patch',
  goal: 'hide',
  className: 'person',
  target: '',
  scenes: 'samples',
  shape: 'square',
  size: 0.2,
  resolution: 256,
  steps: 300,
  batch: 8,
  eot: { ...DEFAULT_EOT },
  seed: 1,
  palette: 'default',
  learningRate: 0.03,
};

/** What the size slider means for each kind, and its range. */
export const SIZE_RANGE: Record<DesignForm['attack'], { label: string; min: number; max: number; step: number; format: (v: number) => string }> = {
  patch: { label: 'Patch size', min: 0.05, max: 0.6, step: 0.01, format: (v) => `${Math.round(v * 100)}% diag.` },
  sticker: { label: 'Sticker area', min: 0.02, max: 0.3, step: 0.01, format: (v) => `${Math.round(v * 100)}% area` },
  glasses: { label: 'Frame scale', min: 0.8, max: 1.3, step: 0.01, format: (v) => `×${v.toFixed(2)}` },
};

export const GOALS: Record<DesignForm['attack'], { value: DesignForm['goal']; label: string }[]> = {
  patch: [
    { value: 'hide', label: 'Hide a class (detector)' },
    { value: 'target', label: 'Become a target class' },
    { value: 'untargeted', label: 'Any misclassification' },
  ],
  sticker: [
    { value: 'hide', label: 'Make the object vanish' },
    { value: 'target', label: 'Mislabel it as a target class' },
  ],
  glasses: [
    { value: 'dodge', label: 'Dodging (not recognised as yourself)' },
    { value: 'impersonate', label: 'Impersonate a target identity' },
  ],
};

export function toAttackParams(f: DesignForm) {
  return {
    model: f.model,
    attack: f.attack,
    goal: f.goal,
    ...(f.className ? { className: f.className } : {}),
    ...(f.target ? { target: f.target } : {}),
    scenes: f.scenes,
    ...(f.attack !== 'glasses' ? { shape: f.shape } : {}),
    size: f.size,
    resolution: f.resolution,
    steps: f.steps,
    batch: f.batch,
    eot: { ...f.eot },
    seed: f.seed,
    palette: f.palette,
    learningRate: f.learningRate,
  };
}
