import { describe, expect, it } from 'vitest';
import { CONTRACT, ContractError, METHODS, parseParams, parseResult } from '../../src/shared/index';

describe('API contract', () => {
  it('has a schema pair for every method and nothing else', () => {
    expect(Object.keys(CONTRACT).sort()).toEqual([...METHODS].sort());
  });

  it('fills defaults so handlers receive complete requests', () => {
    const job = parseParams('startJob', { kind: 'attack', params: { model: 'centernet', scenes: 'samples' } });
    expect(job.kind).toBe('attack');
    if (job.kind !== 'attack') throw new Error('unreachable');
    expect(job.params).toMatchObject({ attack: 'patch' });
    // Goal, steps and batch are left to the engine's per-kind-and-goal defaults, as the CLI's are.
    for (const key of ['goal', 'steps', 'batch'] as const) expect(job.params[key]).toBeUndefined();
    // Left out, shape, size and EOT take the attack engine's per-kind defaults.
    expect(job.params.shape).toBeUndefined();
    expect(job.params.eot).toBeUndefined();
    const eot = parseParams('startJob', { kind: 'attack', params: { model: 'm', scenes: 's', eot: { rotation: 5 } } });
    expect(eot.kind === 'attack' && eot.params.eot).toMatchObject({ rotation: 5, tilt: 30, scaleMin: 0.8 });
    expect(parseParams('listModels', undefined)).toEqual({});
  });

  it('refuses file names that could leave their folder and ids that are not slugs', () => {
    expect(() => parseParams('readArtifact', { run: 'r1', file: '../../etc/passwd' })).toThrow(ContractError);
    expect(() => parseParams('readArtifact', { run: '..', file: 'patch.png' })).toThrow(/run/);
    expect(() => parseParams('readScene', { set: 'samples', image: '..' })).toThrow(/image/);
    expect(() => parseParams('addScenes', { set: 'a/b', images: [{ name: 'x.jpg', bytes: new Uint8Array(1) }] })).toThrow(/set/);
  });

  it('names the call and the field in its errors', () => {
    expect(() => parseParams('predictFrame', { model: 'm', image: 'not bytes' })).toThrow('predictFrame: invalid request: image: expected binary data');
    expect(() => parseParams('startJob', { kind: 'mine-bitcoin', params: {} })).toThrow(/startJob: invalid request: kind/);
    expect(() => parseResult('listModels', { models: [{ name: 1 }] })).toThrow(/listModels: invalid response: models.0/);
  });

  describe('digital attack jobs', () => {
    const images = [{ set: 'samples', image: 'group1.jpg' }];
    const digital = (params: Record<string, unknown>) => parseParams('startJob', { kind: 'digital', params: { model: 'm', attack: 'fgsm', images, ...params } });

    it('fills the defaults of a digital attack, leaving the per-attack settings to the engine', () => {
      const job = digital({ defences: [{ kind: 'jpeg' }, { kind: 'random-resize', minScale: 0.8 }] });
      expect(job.kind === 'digital' && job.params).toMatchObject({
        settings: {},
        via: 'mifgsm',
        eot: 1,
        bpda: true,
        oblivious: false,
        judgeDraws: 10,
        batch: 8,
        defences: [{ kind: 'jpeg', quality: 75 }, { kind: 'random-resize', minScale: 0.8 }],
      });
    });

    it('refuses digital attacks that contradict themselves, naming the field', () => {
      expect(() => digital({ attack: 'transfer' })).toThrow('startJob: invalid request: params.surrogate: a transfer attack needs a surrogate model to craft on');
      expect(() => digital({ surrogate: 'x' })).toThrow(/params.surrogate: only a transfer attack/);
      expect(() => digital({ attack: 'transfer', surrogate: 'x', defences: [{ kind: 'jpeg' }] })).toThrow(/params.defences: transfer does not take defences/);
      expect(() => digital({ settings: { eps: 8 } })).toThrow(/params.settings: eps: an L-inf budget is at most 1/);
      expect(digital({ settings: { eps: 8, norm: 'l2' } }).kind).toBe('digital');
      expect(() => digital({ eot: 10 })).toThrow(/params.eot: EOT needs a defence/);
      expect(() => digital({ oblivious: true })).toThrow(/params.oblivious: needs a defence/);
      expect(() => digital({ oblivious: true, eot: 4, defences: [{ kind: 'random-resize' }] })).toThrow(/params.eot: an oblivious attacker/);
      expect(() => digital({ defences: [{ kind: 'consistency' }, { kind: 'consistency' }] })).toThrow(/'consistency' may appear only once/);
      expect(() => digital({ defences: [{ kind: 'jpeg', quality: 0 }] })).toThrow(/params.defences.0.quality/);
      expect(() => digital({ defences: [{ kind: 'blur' }] })).toThrow(/params.defences.0/);
      expect(() => digital({ settings: { steps: 0 } })).toThrow(/params.settings.steps/);
      expect(() => digital({ settings: { theta: 0 } })).toThrow(/params.settings.theta: must not be 0/);
      expect(() => digital({ attack: 'universal' })).toThrow(/params.images: a universal attack needs at least two images/);
      expect(() => digital({ attack: 'universal', heldOut: images, target: 'happy' })).toThrow(/params.target: the universal perturbation is untargeted/);
      expect(() => digital({ heldOut: images })).toThrow(/params.heldOut: only a universal attack/);
      expect(() => digital({ attack: 'universal', heldOut: images, universal: { split: 1 } })).toThrow(/params.universal.split/);
      expect(() => digital({ attack: 'dance' })).toThrow(/params.attack/);
      expect(() => digital({ images: [] })).toThrow(/params.images/);
      expect(() => digital({ images: [{ set: 'samples', image: '../../secret.png' }] })).toThrow(/params.images.0.image/);
      expect(() => digital({ target: '   ' })).toThrow(/params.target/);
    });

    it('checks digital results and defaults on the way back', () => {
      expect(() => parseResult('digitalResults', { run: 'r', summary: { attack: 'fgsm' }, results: [] })).toThrow(/digitalResults: invalid response: summary.model/);
      expect(() => parseResult('digitalDefaults', { eps: 'big' })).toThrow(/digitalDefaults: invalid response: eps/);
    });
  });
});
