import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerDigitalAttacks } from '../../src/cli/commands/attack-digital';
import { resolveAttackSettings } from '../../src/engine/attacks/digital/settings';
import { DEFAULT_DIGITAL_SETTINGS, DIGITAL_ATTACKS } from '../../src/shared/digital';
import { IMAGE_ATTACK_NAMES, IMAGE_ATTACKS_DECLARED, SETTING_FLAGS } from '../../src/shared/digital-attacks';

function attackCommands(): Map<string, Command> {
  const attack = new Command('attack');
  registerDigitalAttacks(attack);
  return new Map(attack.commands.map((c) => [c.name(), c]));
}

describe('each image attack declared once (src/shared/digital-attacks.ts)', () => {
  const commands = attackCommands();
  // Flags every image attack has (model, images, defences, --seed...) are not any one attack's settings.
  const flagsOf = (name: string) => commands.get(name)!.options.map((o) => o.long!);
  const common = new Set(flagsOf(IMAGE_ATTACK_NAMES[0]).filter((f) => IMAGE_ATTACK_NAMES.every((n) => flagsOf(n).includes(f))));

  for (const name of IMAGE_ATTACK_NAMES) {
    it(`${name}: the CLI's flags are its declared settings, its help its summary, its defaults the declared ones`, () => {
      const decl = IMAGE_ATTACKS_DECLARED[name];
      const command = commands.get(name)!;
      expect(command.description()).toBe(decl.summary);
      const own = command.options.map((o) => o.long!).filter((f) => !common.has(f) && f !== '--no-random-start').sort();
      const declared = decl.fields.filter((f) => f !== 'seed').map((f) => SETTING_FLAGS[f]).sort();
      expect(own).toEqual(declared);
      // The engine's defaults are the shared ones overlaid with the declared ones.
      const resolved = resolveAttackSettings(name);
      for (const [key, value] of Object.entries({ ...DEFAULT_DIGITAL_SETTINGS, ...decl.defaults })) expect(resolved[key as keyof typeof resolved], key).toEqual(value);
    });
  }

  it('the contract lists every declared attack, and the CLI registers each', () => {
    expect(DIGITAL_ATTACKS.filter((a) => a !== 'transfer' && a !== 'universal')).toEqual([...IMAGE_ATTACK_NAMES]);
    for (const name of DIGITAL_ATTACKS) expect(commands.has(name), name).toBe(true);
  });
});
