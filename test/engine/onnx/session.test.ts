import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedSession, clearSessionCache, leasedSessionCount, leaseSession, sessionCacheSize, setSessionCacheLimit } from '../../../src/engine/onnx/session';
import { floatTensor } from '../../../src/engine/tensor/tensor';
import { modelFixture } from '../../helpers/paths';

const tiny = readFileSync(modelFixture('tinynet.onnx'));
const fixed = readFileSync(modelFixture('tinynet_fixed.onnx'));

afterEach(async () => {
  await clearSessionCache();
  setSessionCacheLimit(8);
});

describe('session wrapper', () => {
  it('reuses one session per model bytes and options', async () => {
    const a = await cachedSession(tiny);
    const b = await cachedSession(new Uint8Array(tiny));
    expect(b).toBe(a);
    const c = await cachedSession(tiny, { freeDimensions: { batch: 4 } });
    expect(c).not.toBe(a);
    expect(sessionCacheSize()).toBe(2);
  });

  it('evicts the least recently used session beyond the limit', async () => {
    setSessionCacheLimit(1);
    const a = await cachedSession(tiny);
    await cachedSession(fixed);
    expect(sessionCacheSize()).toBe(1);
    const again = await cachedSession(tiny);
    expect(again).not.toBe(a);
  });

  it('one cache: a leased session is never evicted or cleared under its holder, and goes with its last lease', async () => {
    setSessionCacheLimit(1);
    const first = leaseSession('tiny', async () => tiny, {});
    const second = leaseSession('tiny', async () => tiny, {});
    expect(await second.session).toBe(await first.session);
    await cachedSession(tiny);
    await cachedSession(fixed);
    await clearSessionCache();
    expect(leasedSessionCount()).toBe(1);
    const held = await first.session;
    expect((await held.run({ input: floatTensor([1, 3, 224, 224]) })).logits.dims).toEqual([1, 10]);
    await first.release();
    expect(leasedSessionCount()).toBe(1);
    await second.release();
    expect(leasedSessionCount()).toBe(0);
  });

  it('describes inputs and outputs with symbolic dimensions', async () => {
    const s = await cachedSession(tiny);
    expect(s.inputs).toEqual([{ name: 'input', type: 'float32', shape: ['batch', 3, 224, 224] }]);
    expect(s.outputs).toEqual([{ name: 'logits', type: 'float32', shape: ['batch', 10] }]);
    expect(s.threads).toBeGreaterThanOrEqual(1);
  });

  it('runs any batch size through a symbolic batch dimension', async () => {
    const s = await cachedSession(tiny);
    for (const batch of [1, 3, 5]) {
      const out = await s.run({ input: floatTensor([batch, 3, 224, 224]) });
      expect(out.logits.dims).toEqual([batch, 10]);
    }
  });

  it('rejects a wrong input shape with the expected and given shapes', async () => {
    const s = await cachedSession(fixed, { label: 'fixed.onnx' });
    await expect(s.run({ input: floatTensor([1, 3, 100, 100]) })).rejects.toThrow("fixed.onnx: input 'input' expects shape [1,3,224,224], got [1,3,100,100]");
  });
});
