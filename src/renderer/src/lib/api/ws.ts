import { decodeWire, encodeWire } from '../../../../shared/wire';
import { RemoteError, ServerMessage } from '../../../../shared/rpc';
import type { Method } from '../../../../shared/methods';
import type { Transport } from './transport';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * Browser mode: one WebSocket to the server that served this page, authenticated with the token
 * from the URL (kept for the session so a reload without it still works), reconnecting if it drops.
 */
export function websocketTransport(location: Location, storage: Storage): Transport {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) storage.setItem('patchlab.token', fromUrl);
  const token = fromUrl ?? storage.getItem('patchlab.token') ?? '';
  const url = `ws://${location.host}/api?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, Pending>();
  const eventListeners = new Set<(event: unknown) => void>();
  const statusListeners = new Set<(connected: boolean) => void>();
  const queue: (string | Uint8Array<ArrayBuffer>)[] = [];
  let nextId = 1;
  let socket: WebSocket;

  const open = () => {
    socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      statusListeners.forEach((l) => l(true));
      for (const m of queue.splice(0)) socket.send(m);
    };
    socket.onmessage = (e: MessageEvent<string | ArrayBuffer>) => {
      const parsed = ServerMessage.safeParse(decodeWire(typeof e.data === 'string' ? e.data : new Uint8Array(e.data)));
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === 'event') return eventListeners.forEach((l) => l(message.event));
      const p = pending.get(message.id);
      if (!p) return;
      pending.delete(message.id);
      if (message.ok) p.resolve(message.value);
      else p.reject(new RemoteError(message.error.message, message.error.user));
    };
    socket.onclose = () => {
      statusListeners.forEach((l) => l(false));
      for (const p of pending.values()) p.reject(new RemoteError('lost the connection to patchlab serve', false));
      pending.clear();
      setTimeout(open, 1000);
    };
  };
  open();

  return {
    kind: 'browser',
    call(method: Method, params: unknown) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const data = encodeWire({ type: 'call', id, method, params });
        if (socket.readyState === WebSocket.OPEN) socket.send(data);
        else queue.push(data);
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
  };
}
