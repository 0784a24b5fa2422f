import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, METHODS, ipcChannel } from '../shared/methods';
import type { BridgeReply, PreloadBridge } from '../shared/bridge';

/**
 * The page's whole view of the app: one function per contract call (each bound to its own
 * channel) and an event subscription. ipcRenderer itself never reaches the page.
 */
export function buildBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): PreloadBridge {
  const calls = Object.fromEntries(METHODS.map((method) => [method, (params: unknown) => ipc.invoke(ipcChannel(method), params) as Promise<BridgeReply>]));
  return {
    ...(calls as Omit<PreloadBridge, 'onEvent'>),
    onEvent(listener: (event: unknown) => void) {
      const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipc.on(EVENT_CHANNEL, forward);
      return () => {
        ipc.removeListener(EVENT_CHANNEL, forward);
      };
    },
  };
}
