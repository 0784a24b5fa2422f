import { describe, expect, it } from 'vitest';
import { ATTACK_FIELDS, ATTACKS, INITIAL_DIGITAL, toDigitalParams, toFormSettings, type DigitalForm } from '../../src/renderer/src/lib/digital';
import { DIGITAL_ATTACKS } from '../../src/shared/digital';
import { IMAGE_ATTACK_NAMES, IMAGE_ATTACKS_DECLARED } from '../../src/shared/digital-attacks';
import { parseParams } from '../../src/shared/index';

const form = (change: (f: DigitalForm) => void): DigitalForm => {
  const f = structuredClone(INITIAL_DIGITAL);
  f.model = 'emotion';
  f.surrogate = 'antispoof';
  f.images = [{ set: 'samples', image: 'group1.jpg' }];
  change(f);
  return f;
};

describe('the Digital form', () => {
  it('sends only the chosen attack’s settings, with L-inf budgets back in pixel units', () => {
    const params = toDigitalParams(form((f) => ((f.attack = 'pgd'), (f.settings.eps = 4), (f.settings.stepSize = 1), (f.settings.steps = 7))));
    expect(params.settings).toEqual({ norm: 'linf', eps: 4 / 255, steps: 7, stepSize: 1 / 255, randomStart: true, seed: 0 });
    const l2 = toDigitalParams(form((f) => ((f.attack = 'pgd'), (f.settings.norm = 'l2'), (f.settings.eps = 1.5))));
    expect(l2.settings?.eps).toBe(1.5);
    expect(toDigitalParams(form((f) => (f.attack = 'hopskipjump'))).settings).toEqual({ queries: 1000, initEvals: 100, maxEvals: 1000, gamma: 1, seed: 0 });
    // An emptied number field (null) falls back to the attack's default in the engine.
    const emptied = toDigitalParams(form((f) => ((f.attack = 'bim'), (f.settings.stepSize = null as unknown as number))));
    expect(emptied.settings).not.toHaveProperty('stepSize');
  });

  it('sends a universal attack with its method’s settings and split', () => {
    const sgd = toDigitalParams(form((f) => ((f.attack = 'universal'), (f.images = [...f.images, { set: 'samples', image: 'group2.jpg' }]), (f.settings.eps = 10))));
    expect(sgd).toMatchObject({ attack: 'universal', universal: { method: 'sgd', split: 0.5, mirror: false }, settings: { norm: 'linf', eps: 10 / 255, steps: 20 } });
    expect(() => parseParams('startJob', { kind: 'digital', params: sgd })).not.toThrow();
    const deepfool = toDigitalParams(form((f) => ((f.attack = 'universal'), (f.universal.method = 'deepfool'))));
    expect(deepfool.universal).toEqual({ method: 'deepfool', split: 0.5, mirror: false, foolingRate: 0.8, maxPasses: 10 });
    expect(Object.keys(deepfool.settings ?? {}).sort()).toEqual(['eps', 'maxIter', 'norm', 'overshoot', 'seed']);
    expect(toDigitalParams(form((f) => (f.attack = 'fgsm')))).not.toHaveProperty('universal');
  });

  it('turns engine defaults into form units and back without drift', () => {
    const shown = toFormSettings({ ...INITIAL_DIGITAL.settings, eps: 8 / 255, stepSize: 2 / 255 });
    expect([shown.eps, shown.stepSize]).toEqual([8, 2]);
    expect(toFormSettings({ ...INITIAL_DIGITAL.settings, norm: 'l2', eps: 1 }).eps).toBe(1);
  });

  it('describes defences, EOT and transfer as the contract accepts them', () => {
    const defended = toDigitalParams(
      form((f) => {
        f.defences.jpeg.on = true;
        f.defences.randomResize.on = true;
        f.defences.ensemble = { on: true, models: ['liveness'], vote: 'majority' };
        f.eot = 5;
        f.bpda = false;
      }),
    );
    expect(defended.defences).toEqual([{ kind: 'ensemble', models: ['liveness'], vote: 'majority' }, { kind: 'random-resize', minScale: 0.9 }, { kind: 'jpeg', quality: 75 }]);
    expect(defended).toMatchObject({ eot: 5, bpda: false, oblivious: false });
    expect(() => parseParams('startJob', { kind: 'digital', params: defended })).not.toThrow();
    // Without a defence EOT and the oblivious baseline mean nothing; they are not sent.
    const bare = toDigitalParams(form((f) => ((f.eot = 5), (f.oblivious = true))));
    expect(bare).toMatchObject({ defences: [], eot: 1, oblivious: false });
    expect(() => parseParams('startJob', { kind: 'digital', params: bare })).not.toThrow();
    const transfer = toDigitalParams(form((f) => ((f.attack = 'transfer'), (f.via = 'pgd'), (f.defences.jpeg.on = true), (f.target = ' happy '))));
    expect(transfer).toMatchObject({ attack: 'transfer', surrogate: 'antispoof', via: 'pgd', defences: [], target: 'happy' });
    expect(Object.keys(transfer.settings ?? {}).sort()).toEqual(['eps', 'norm', 'randomStart', 'seed', 'steps']);
    expect(() => parseParams('startJob', { kind: 'digital', params: transfer })).not.toThrow();
  });

  it('offers every declared attack with its declared label, hint and fields', () => {
    expect(ATTACKS.map((a) => a.value)).toEqual([...DIGITAL_ATTACKS]);
    for (const name of IMAGE_ATTACK_NAMES) {
      const decl = IMAGE_ATTACKS_DECLARED[name];
      expect(ATTACKS.find((a) => a.value === name)).toMatchObject({ label: decl.label, hint: decl.hint });
      expect(ATTACK_FIELDS[name]).toEqual(decl.fields);
    }
  });
});
