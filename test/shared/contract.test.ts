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
    expect(job.params).toMatchObject({ attack: 'patch', goal: 'hide', steps: 300, batch: 8 });
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
});
