import { describe, expect, it } from 'vitest';
import { resolveAttackConfig } from '../../../src/engine/attacks/config';

describe('hide loss defaults', () => {
  const base = { model: 'centernet', scenes: 'x.png', class: 'person' };

  it('a hide patch pushes every object down at once (tiles); a sticker keeps the max; a flag wins', () => {
    expect(resolveAttackConfig({ ...base, attack: 'patch', goal: 'hide' }).hideLoss).toBe('tiles');
    expect(resolveAttackConfig({ ...base, attack: 'patch' }).hideLoss).toBe('tiles');
    expect(resolveAttackConfig({ ...base, attack: 'sticker', goal: 'hide' }).hideLoss).toBe('max');
    expect(resolveAttackConfig({ ...base, attack: 'patch', goal: 'hide', hideLoss: 'max' }).hideLoss).toBe('max');
  });
});
