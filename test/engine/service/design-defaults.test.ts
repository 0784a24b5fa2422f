import { describe, expect, it } from 'vitest';
import { ATTACK_KINDS, resolveAttackConfig, type Goal, type PhysicalAttackConfig } from '../../../src/engine/attacks/physical/config';
import { attackDefaultsHandler } from '../../../src/engine/service/handlers/attack-defaults';
import { toPhysicalInput } from '../../../src/engine/service/jobs/attack';
import type { ServiceContext } from '../../../src/engine/service/types';
import { applyAttackDefaults, demoParams, DEMO, GOALS, toAttackParams, type DesignForm } from '../../../src/shared/design-form';
import { parseParams } from '../../../src/shared/index';

/** The goals the engine accepts per kind (checkGoal). */
const ENGINE_GOALS: Record<(typeof ATTACK_KINDS)[number], Goal[]> = { patch: ['hide', 'target', 'untargeted'], sticker: ['hide', 'target', 'untargeted'], glasses: ['dodge', 'impersonate'] };
const ctx = {} as ServiceContext;

/** What the engine runs for a request, after the contract's validation (zod defaults included). */
function engineConfigOf(params: object): PhysicalAttackConfig {
  const parsed = parseParams('startJob', { kind: 'attack', params }) as { kind: 'attack'; params: Parameters<typeof toPhysicalInput>[0] };
  return resolveAttackConfig(toPhysicalInput(parsed.params));
}

/** The fields a user would be surprised to see differ between the app and the CLI. */
function tuned(c: PhysicalAttackConfig) {
  return { goal: c.goal, steps: c.steps, batch: c.batch, lr: c.optimiser.lr, size: c.size, resolution: c.resolution, shape: c.shape, eot: c.eot, weights: c.weights, hideLoss: c.hideLoss, seed: c.seed, placement: c.placement.kind === 'detect' ? { ...c.placement, on: c.placement.on ?? 'box' } : c.placement };
}

function who(kind: string, goal: Goal): { class?: string; target?: string } {
  if (goal === 'hide' || goal === 'untargeted') return { class: 'person' };
  if (goal === 'target') return { class: 'person', target: 'cat' };
  if (goal === 'impersonate') return { target: 'someone.jpg' };
  return {};
}

describe('the Design form starts from the engine declaration, for every attack kind x goal', () => {
  for (const kind of ATTACK_KINDS) {
    for (const goal of ENGINE_GOALS[kind]) {
      it(`${kind} / ${goal}: form defaults run exactly what the CLI runs`, async () => {
        const d = await attackDefaultsHandler({ attack: kind, goal }, ctx);
        const w = who(kind, goal);
        const form: DesignForm = applyAttackDefaults({ ...structuredClone(DEMO), attack: kind, goal, className: w.class ?? '', target: w.target ?? '' }, d);
        const app = engineConfigOf(toAttackParams(form));
        const cli = resolveAttackConfig({ attack: kind, goal, model: form.model, scenes: app.scenes, ...w });
        expect(tuned(app)).toEqual(tuned(cli));
      });
    }
  }

  for (const placement of ['box', 'torso'] as const) {
    it(`patch / hide on the ${placement}: choosing the placement loads its defaults, and the form runs what the CLI runs`, async () => {
      const d = await attackDefaultsHandler({ attack: 'patch', goal: 'hide', placement }, ctx);
      expect(d.placement).toBe(placement);
      const form = applyAttackDefaults({ ...structuredClone(DEMO), placement }, d);
      const app = engineConfigOf(toAttackParams(form));
      const cli = resolveAttackConfig({ attack: 'patch', goal: 'hide', class: 'person', model: form.model, scenes: app.scenes, placement: { kind: 'detect', on: placement } });
      expect({ ...tuned(app), sampleBy: app.sampleBy }).toEqual({ ...tuned(cli), sampleBy: cli.sampleBy });
      expect(app.size).toBe(placement === 'torso' ? 0.25 : 0.2);
    });
  }

  it('the first-run demo runs the engine defaults of a hide patch', () => {
    const app = engineConfigOf(demoParams());
    const cli = resolveAttackConfig({ attack: 'patch', goal: 'hide', class: 'person', model: DEMO.model, scenes: app.scenes });
    expect(tuned(app)).toEqual(tuned(cli));
  });

  it('the app offers every goal the engine accepts', () => {
    for (const kind of ATTACK_KINDS) expect(GOALS[kind].map((g) => g.value).sort()).toEqual([...ENGINE_GOALS[kind]].sort());
  });
});
