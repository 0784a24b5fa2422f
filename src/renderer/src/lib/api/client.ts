import { METHODS, type Method } from '../../../../shared/methods';
import { parseResult, type PatchlabApi, type Params } from '../../../../shared/contract';
import { EngineEvent } from '../../../../shared/events';
import type { Transport } from './transport';

/** The typed API over a transport; every answer and event is checked against the contract. */
export function createApi(transport: Transport): PatchlabApi {
  const api: Partial<Record<Method, (params: unknown) => Promise<unknown>>> = {};
  for (const method of METHODS) {
    api[method] = async (params: unknown) => parseResult(method, await transport.call(method, params ?? {}));
  }
  return api as PatchlabApi;
}

export function onEngineEvent(transport: Transport, listener: (event: EngineEvent) => void): () => void {
  return transport.onEvent((raw) => {
    const parsed = EngineEvent.safeParse(raw);
    if (parsed.success) listener(parsed.data);
  });
}

export type { Params };
