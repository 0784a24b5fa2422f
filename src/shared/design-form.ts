import { EotRanges, type AttackDefaults } from './jobs';
import { PHYSICAL_ATTACKS_DECLARED, type PhysicalAttackKind, type PhysicalGoal } from './physical-attacks';
import type { SceneSplit } from './scenes';

/**
 * The Design screen's form and how it becomes a request: plain data and functions, here in
 * shared so a test can hold them against the engine's resolved config (no drifting defaults).
 */

/** The Design screen's form; kept on the Lab so it survives switching screens. */
export interface DesignForm {
  model: string;
  attack: PhysicalAttackKind;
  goal: PhysicalGoal;
  className: string;
  target: string;
  scenes: string;
  /** A managed set's split to train on ('' = every scene of the set). */
  split: '' | SceneSplit;
  /** Patches on detected people: box rule or torso; the engine's default until the form loads it. */
  placement?: 'box' | 'torso';
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
export const DEFAULT_EOT: EotRanges = EotRanges.parse({});

/**
 * The first-run demo: hide people from centernet with a square patch. Its numbers are only
 * placeholders until the screen loads the engine's defaults (applyAttackDefaults); the demo
 * button sends demoParams, which leaves every tunable to the engine.
 */
export const DEMO: DesignForm = {
  model: 'centernet',
  attack: 'patch',
  goal: 'hide',
  className: 'person',
  target: '',
  scenes: 'samples',
  split: '',
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

/** Labels of the goals each kind accepts, from the declaration (src/shared/physical-attacks.ts). */
export const GOALS: Record<DesignForm['attack'], { value: DesignForm['goal']; label: string }[]> = {
  patch: goalChoices('patch'),
  sticker: goalChoices('sticker'),
  glasses: goalChoices('glasses'),
};

function goalChoices(kind: PhysicalAttackKind): { value: PhysicalGoal; label: string }[] {
  return PHYSICAL_ATTACKS_DECLARED[kind].goals.map((g) => ({ value: g.goal, label: g.label }));
}

export function toAttackParams(f: DesignForm) {
  return {
    model: f.model,
    attack: f.attack,
    goal: f.goal,
    ...(f.className ? { className: f.className } : {}),
    ...(f.target ? { target: f.target } : {}),
    scenes: f.scenes,
    ...(f.split ? { split: f.split } : {}),
    ...(f.attack === 'patch' && f.placement ? { placement: f.placement } : {}),
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


/** The form after choosing a kind and goal: every tunable from the engine's resolved defaults for that pair. */
export function applyAttackDefaults(f: DesignForm, d: AttackDefaults): DesignForm {
  const shape = d.shape === 'square' || d.shape === 'rectangle' || d.shape === 'circle' ? d.shape : f.shape;
  return { ...f, shape, size: d.size, resolution: d.resolution, steps: d.steps, batch: d.batch, learningRate: d.learningRate, eot: { ...d.eot }, placement: d.placement };
}

/** The demo's request: what it attacks, and nothing the engine should choose. */
export function demoParams() {
  return { model: DEMO.model, attack: DEMO.attack, goal: DEMO.goal, className: DEMO.className, scenes: DEMO.scenes, seed: DEMO.seed, palette: DEMO.palette };
}
