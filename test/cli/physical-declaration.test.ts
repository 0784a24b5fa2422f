import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { attackInput, parseNumberFlag, registerPhysicalAttacks } from '../../src/cli/commands/attack-physical';
import { resolveAttackConfig, type PhysicalAttackConfig } from '../../src/engine/attacks/physical/config';
import { parseShape } from '../../src/engine/render/shapes';
import { AttackParams } from '../../src/shared/jobs';
import { GOALS_OF, PHYSICAL_ATTACKS, PHYSICAL_ATTACKS_DECLARED, PHYSICAL_NUMBER_FIELDS, PHYSICAL_NUMBERS, type PhysicalGoal, type PhysicalNumber } from '../../src/shared/physical-attacks';

function attackCommands(): Map<string, Command> {
  const attack = new Command('attack');
  registerPhysicalAttacks(attack);
  return new Map(attack.commands.map((c) => [c.name(), c]));
}

/** What the engine runs for a kind and goal when the user sets nothing else. */
function engineDefaults(kind: (typeof PHYSICAL_ATTACKS)[number], goal: PhysicalGoal): PhysicalAttackConfig {
  return resolveAttackConfig({ attack: kind, goal, model: 'any', scenes: 'any', class: 'person', target: 'target' });
}

function engineNumber(c: PhysicalAttackConfig, name: PhysicalNumber): number {
  if (name === 'lr') return c.optimiser.lr;
  if (name === 'nps' || name === 'tv') return c.weights[name];
  return c[name];
}

/**
 * The defaults a help line states, per goal: "(...; default 8)" or "(default: dodge 1, impersonate 1.2)".
 * Read back from the text a user sees, so a help line that drifts from the engine fails here.
 */
function helpDefaults(description: string, goals: readonly PhysicalGoal[]): Record<string, string> {
  const all = /default (\S+?)\)?$/.exec(description);
  if (all) return Object.fromEntries(goals.map((g) => [g, all[1]]));
  const per = /default: ([^)]*)\)$/.exec(description);
  if (!per) throw new Error(`no defaults in '${description}'`);
  return Object.fromEntries(per[1].split(', ').map((part) => part.split(' ') as [string, string]));
}

describe('each physical attack declared once (src/shared/physical-attacks.ts)', () => {
  const commands = attackCommands();

  for (const kind of PHYSICAL_ATTACKS) {
    const decl = PHYSICAL_ATTACKS_DECLARED[kind];
    const command = commands.get(kind)!;
    const option = (flag: string) => command.options.find((o) => o.long === flag)!;

    it(`${kind}: its help is the declared summary, its goals the declared ones`, () => {
      expect(command.description()).toBe(decl.summary);
      expect(option('--goal').description).toContain(`${GOALS_OF[kind].join('|')} (default: ${decl.goals[0].goal})`);
    });

    for (const goal of GOALS_OF[kind]) {
      it(`${kind} / ${goal}: every flag's stated default is what the engine runs`, () => {
        const engine = engineDefaults(kind, goal);
        for (const name of PHYSICAL_NUMBERS) {
          const o = option(PHYSICAL_NUMBER_FIELDS[name].flag);
          expect(o, name).toBeDefined();
          expect(Number(helpDefaults(o.description, GOALS_OF[kind])[goal]), `${kind} ${goal} ${name}`).toBe(engineNumber(engine, name));
        }
        expect(parseShape(helpDefaults(option('--shape').description, GOALS_OF[kind])[goal])).toEqual(engine.shape);
        expect(helpDefaults(option('--init').description, GOALS_OF[kind])[goal]).toBe(engine.init);
        expect(helpDefaults(option('--hide-loss').description, GOALS_OF[kind])[goal]).toBe(engine.hideLoss);
        // The declared placement and EOT ranges reach the engine as they are.
        const declared = { ...decl.defaults, ...decl.goalDefaults?.[goal] };
        expect(engine.placement).toEqual({ kind: declared.placement });
        expect(engine.eot).toMatchObject(declared.eot);
      });
    }
  }

  it('the CLI refuses a value out of its declared range with one line, and the engine takes every value the CLI lets through', () => {
    for (const name of PHYSICAL_NUMBERS) {
      const f = PHYSICAL_NUMBER_FIELDS[name];
      expect(() => parseNumberFlag(name, String(f.exclusiveMin ? f.min : f.min - 1))).toThrow(new RegExp(`^${f.flag}: .* must be`));
      if (f.max !== undefined) expect(() => parseNumberFlag(name, String(f.max! + 1))).toThrow(new RegExp(`^${f.flag}: .* must be`));
      const edge = f.max ?? (f.exclusiveMin ? f.min + 0.5 : f.min);
      const flags = { model: 'm', scenes: 's', [name]: String(parseNumberFlag(name, String(edge))) };
      const input = attackInput('patch', flags);
      expect(() => resolveAttackConfig({ ...input, goal: 'untargeted' }), name).not.toThrow();
    }
  });

  it("the app's contract takes the declared bounds, tightened where the table says so", () => {
    const form = { size: 'size', resolution: 'resolution', steps: 'steps', batch: 'batch', learningRate: 'lr' } as const;
    const base = { model: 'm', scenes: 's' };
    for (const [key, name] of Object.entries(form)) {
      const f = PHYSICAL_NUMBER_FIELDS[name];
      const max = f.app?.max ?? f.max;
      const min = f.app?.min ?? f.min;
      expect(AttackParams.safeParse({ ...base, [key]: min - 1 }).success, `${key} below`).toBe(false);
      if (max !== undefined) {
        expect(AttackParams.safeParse({ ...base, [key]: max }).success, `${key} at max`).toBe(true);
        expect(AttackParams.safeParse({ ...base, [key]: max + 1 }).success, `${key} above`).toBe(false);
      }
    }
  });
});
