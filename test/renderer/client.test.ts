import { describe, expect, it } from 'vitest';
import { createApi, onEngineEvent } from '../../src/renderer/src/lib/api/client';
import type { Transport } from '../../src/renderer/src/lib/api/transport';
import { ContractError } from '../../src/shared/index';

function fakeTransport(answers: Record<string, unknown>): Transport & { emit(e: unknown): void } {
  const listeners = new Set<(e: unknown) => void>();
  return {
    kind: 'browser',
    call: async (method) => answers[method],
    onEvent: (l) => (listeners.add(l), () => listeners.delete(l)),
    onStatus: () => () => undefined,
    emit: (e) => listeners.forEach((l) => l(e)),
  };
}

describe('renderer API client', () => {
  it('returns answers that match the contract and rejects ones that do not', async () => {
    const api = createApi(fakeTransport({ listJobs: { jobs: [] }, listModels: { models: [{ name: 'x' }] } }));
    await expect(api.listJobs({})).resolves.toEqual({ jobs: [] });
    await expect(api.listModels({})).rejects.toThrow(ContractError);
  });

  it('passes on valid engine events only', () => {
    const transport = fakeTransport({});
    const seen: unknown[] = [];
    onEngineEvent(transport, (e) => seen.push(e));
    transport.emit({ type: 'engine', state: 'crashed', message: 'engine stopped' });
    transport.emit({ type: 'engine', state: 'on fire' });
    transport.emit({ type: 'progress', id: 'job-1', progress: { step: -1, steps: 3 } });
    expect(seen).toEqual([{ type: 'engine', state: 'crashed', message: 'engine stopped' }]);
  });
});
