import { RemoteError } from '../../../../shared/rpc';
import type { Method } from '../../../../shared/methods';
import type { PreloadBridge } from '../../../../shared/bridge';
import type { Transport } from './transport';

/** Electron: the preload's bridge, one function per call. */
export function ipcTransport(bridge: PreloadBridge): Transport {
  return {
    kind: 'electron',
    async call(method: Method, params: unknown) {
      const reply = await bridge[method](params);
      if (!reply.ok) throw new RemoteError(reply.error.message, reply.error.user);
      return reply.value;
    },
    onEvent: (listener) => bridge.onEvent(listener),
    onStatus: (listener) => {
      listener(true);
      return () => undefined;
    },
  };
}
