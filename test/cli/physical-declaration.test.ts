import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { attackInput, nextStep, parseNumberFlag, registerPhysicalAttacks } from '../../src/cli/commands/attack-physical';
import { resolveAttackConfig, type PhysicalAttackConfig } from '../../src/engine/attacks/physical/config';
import { parseShape } from '../../src/engine/render/shapes';
import { parseEot } from '../../src/cli/eot-option';
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
  description = byPlacement(description).rest;
  const all = /default (\S+?)\)?$/.exec(description);
  if (all) return Object.fromEntries(goals.map((g) => [g, all[1]]));
  const per = /default: ([^)]*)\)$/.exec(description);
  if (!per) throw new Error(`no defaults in '${description}'`);
  return Object.fromEntries(per[1].split(', ').map((part) => part.split(' ') as [string, string]));
}

/** A help line's "; --placement torso: 0.25" parts (what a placement changes), and the line without them. */
function byPlacement(description: string): { rest: string; values: Record<string, string> } {
  const values: Record<string, string> = {};
  const rest = description.replace(/; --placement (\w+): ([^;)]+)/g, (_, placement: string, value: string) => {
    values[placement] = value;
    return '';
  });
  return { rest, values };
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

  it('patch: the help states what --placement torso changes, and it is what the engine runs', () => {
    const patch = commands.get('patch')!;
    const option = (flag: string) => patch.options.find((o) => o.long === flag)!;
    for (const goal of GOALS_OF.patch) {
      const torso = resolveAttackConfig({ attack: 'patch', goal, model: 'any', scenes: 'any', class: 'person', target: 'target', placement: { kind: 'detect', on: 'torso' } });
      const stated = byPlacement(option('--size').description).values;
      expect(Object.keys(stated)).toEqual(['torso']);
      expect(Number(stated.torso)).toBe(torso.size);
      expect(byPlacement(option('--sample-by').description).values.torso).toBe(torso.sampleBy);
      const added = /--placement torso adds (\S+?)\)?$/.exec(option('--eot').description)?.[1] ?? '';
      expect(torso.eot).toMatchObject(parseEot(added));
      // The rest of the torso run is the goal's: only the declared fields differ from the box rule's.
      const box = engineDefaults('patch', goal);
      expect({ ...torso, size: box.size, sampleBy: box.sampleBy, placement: box.placement, eot: box.eot }).toEqual(box);
    }
  });

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

describe('the line after a run', () => {
  it('points a run trained on a set split to its val split, and a plain folder to held-out scenes', () => {
    expect(nextStep('runs/a', 'set:people:train')).toMatch(/^patchlab eval runs\/a --scenes set:people --split val .*test once/);
    expect(nextStep('runs/a', 'scenes/')).toBe('patchlab eval runs/a --scenes HELD_OUT_DIR');
    expect(nextStep('runs/a')).toBe('patchlab eval runs/a --scenes HELD_OUT_DIR');
  });
});
