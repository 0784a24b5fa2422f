import { describe, expect, it } from 'vitest';
import { resolveAttackConfig } from '../../../../src/engine/attacks/physical/config';

describe('hide loss defaults', () => {
  const base = { model: 'centernet', scenes: 'x.png', class: 'person' };

  it('a hide patch pushes every object down at once (tiles); a sticker keeps the max; a flag wins', () => {
    expect(resolveAttackConfig({ ...base, attack: 'patch', goal: 'hide' }).hideLoss).toBe('tiles');
    expect(resolveAttackConfig({ ...base, attack: 'patch' }).hideLoss).toBe('tiles');
    expect(resolveAttackConfig({ ...base, attack: 'sticker', goal: 'hide' }).hideLoss).toBe('max');
    expect(resolveAttackConfig({ ...base, attack: 'patch', goal: 'hide', hideLoss: 'max' }).hideLoss).toBe('max');
  });

  it('a hide patch runs 600 steps at lr 0.05 and TV 1 (the settings that met the held-out bar); other patch goals and stickers keep the kind defaults; flags win', () => {
    const hide = resolveAttackConfig({ ...base, attack: 'patch', goal: 'hide' });
    expect([hide.steps, hide.optimiser.lr, hide.weights.tv, hide.weights.nps]).toEqual([600, 0.05, 1, 0.01]);
    const target = resolveAttackConfig({ ...base, attack: 'patch', goal: 'target', target: 'cat' });
    expect([target.steps, target.optimiser.lr, target.weights.tv]).toEqual([300, 0.03, 2.5]);
    const sticker = resolveAttackConfig({ ...base, attack: 'sticker', goal: 'hide' });
    expect([sticker.steps, sticker.optimiser.lr]).toEqual([300, 0.03]);
    const flags = resolveAttackConfig({ ...base, attack: 'patch', goal: 'hide', steps: 50, optimiser: { lr: 0.01 }, weights: { tv: 3 } });
    expect([flags.steps, flags.optimiser.lr, flags.weights.tv]).toEqual([50, 0.01, 3]);
  });
});

describe('placement defaults', () => {
  const base = { model: 'centernet', scenes: 'x.png', class: 'person', attack: 'patch' as const, goal: 'hide' as const };
  const torso = { kind: 'detect' as const, on: 'torso' as const };

  it('a chest print trains shoulder-wide, by source, on zoomed and mirrored scene crops; the box rule keeps the goal defaults', () => {
    const t = resolveAttackConfig({ ...base, placement: torso });
    expect([t.size, t.sampleBy, t.eot.sceneCrop, t.eot.sceneFlip]).toEqual([0.25, 'sources', [0.6, 1], 0.5]);
    // Everything else still comes from the hide goal and the engine's EOT.
    expect([t.steps, t.optimiser.lr, t.hideLoss, t.eot.rotation]).toEqual([600, 0.05, 'tiles', 20]);
    for (const box of [resolveAttackConfig(base), resolveAttackConfig({ ...base, placement: { kind: 'detect', on: 'box' } })]) {
      expect([box.size, box.sampleBy, box.eot.sceneCrop, box.eot.sceneFlip]).toEqual([0.2, 'scenes', [1, 1], 0]);
    }
  });

  it('flags win over placement defaults, and an --eot that names other transforms keeps the crops', () => {
    const t = resolveAttackConfig({ ...base, placement: torso, size: 0.3, sampleBy: 'scenes', eot: { rotation: 10 } });
    expect([t.size, t.sampleBy, t.eot.rotation, t.eot.sceneCrop, t.eot.sceneFlip]).toEqual([0.3, 'scenes', 10, [0.6, 1], 0.5]);
    expect(resolveAttackConfig({ ...base, placement: torso, eot: { sceneCrop: [1, 1], sceneFlip: 0 } }).eot.sceneCrop).toEqual([1, 1]);
  });
});
