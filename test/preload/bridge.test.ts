import { describe, expect, it, vi } from 'vitest';
import { buildBridge } from '../../src/preload/bridge';
import { EVENT_CHANNEL, METHODS } from '../../src/shared/methods';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async (channel: string, params: unknown) => ({ ok: true, value: { channel, params } }));
const listeners = new Map<string, (...args: unknown[]) => void>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: {
    invoke: (channel: string, params: unknown) => invoke(channel, params),
    on: (channel: string, l: (...args: unknown[]) => void) => listeners.set(channel, l),
    removeListener: (channel: string) => listeners.delete(channel),
  },
}));

describe('preload bridge', () => {
  it('exposes exactly one function per contract call plus onEvent, and not ipcRenderer', async () => {
    await import('../../src/preload/index');
    const bridge = exposed.patchlab as Record<string, unknown>;
    expect(Object.keys(exposed)).toEqual(['patchlab']);
    expect(Object.keys(bridge).sort()).toEqual([...METHODS, 'onEvent'].sort());
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');
    expect(JSON.stringify(Object.keys(bridge))).not.toMatch(/ipc|send|invoke/i);
  });

  it('sends each call on its own channel', async () => {
    const bridge = exposed.patchlab as Record<string, (p: unknown) => Promise<unknown>>;
    await bridge.listModels({});
    await bridge.predictFrame({ model: 'm' });
    expect(invoke.mock.calls.map((c) => c[0])).toEqual(['patchlab:listModels', 'patchlab:predictFrame']);
  });

  it('hands events to the page without the IPC event object, and unsubscribes', () => {
    const ipc = { invoke, on: vi.fn(), removeListener: vi.fn() };
    const bridge = buildBridge(ipc as never);
    const received: unknown[] = [];
    const off = bridge.onEvent((e) => received.push(e));
    const [channel, forward] = ipc.on.mock.calls[0] as [string, (e: unknown, p: unknown) => void];
    expect(channel).toBe(EVENT_CHANNEL);
    forward({ sender: 'secret ipc internals' }, { type: 'engine', state: 'ready' });
    expect(received).toEqual([{ type: 'engine', state: 'ready' }]);
    off();
    expect(ipc.removeListener).toHaveBeenCalledWith(EVENT_CHANNEL, forward);
  });
});
