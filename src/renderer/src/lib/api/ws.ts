import { decodeWire, encodeWire } from '../../../../shared/wire';
import { RemoteError, ServerMessage } from '../../../../shared/rpc';
import type { Method } from '../../../../shared/methods';
import { MAX_MESSAGE_BYTES } from '../../../../shared/bytes';
import type { Transport } from './transport';

const mib = (bytes: number) => `${Math.ceil(bytes / (1024 * 1024))} MiB`;

function tooLarge(method: Method, size: number): string {
  const hint = method === 'importModel' ? '; import big models with `patchlab models import FILE` instead' : '; send fewer files at once';
  return `${method}: ${mib(size)} is more than patchlab serve takes in one call (${mib(MAX_MESSAGE_BYTES)})${hint}`;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const TOKEN_KEY = 'patchlab.token';

/**
 * The token `patchlab serve` printed, from the URL's fragment (`#token=…`, which the browser never
 * sends to a server), kept in this tab's sessionStorage (scoped to this origin, port included) so
 * a reload still works, and wiped from the address bar so it is not bookmarked or shared.
 */
export function takeToken(location: Pick<Location, 'hash' | 'pathname' | 'search'>, storage: Pick<Storage, 'getItem' | 'setItem'>, history?: Pick<History, 'replaceState'>): string {
  const fromUrl = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    history?.replaceState(null, '', `${location.pathname}${location.search}`);
  }
  return fromUrl ?? storage.getItem(TOKEN_KEY) ?? '';
}

/** The subprotocols our socket offers: the API's name, and the token (browsers cannot set headers on a WebSocket). */
export function apiProtocols(token: string): string[] {
  return ['patchlab', `patchlab.token.${token}`];
}

/**
 * Browser mode: one WebSocket to the server that served this page, authenticated with the token
 * (see takeToken), reconnecting if it drops.
 */
export function websocketTransport(location: Location, storage: Storage, history: History | undefined = globalThis.history): Transport {
  const token = takeToken(location, storage, history);
  const url = `ws://${location.host}/api`;
  const pending = new Map<number, Pending>();
  const eventListeners = new Set<(event: unknown) => void>();
  const statusListeners = new Set<(connected: boolean) => void>();
  const queue: (string | Uint8Array<ArrayBuffer>)[] = [];
  let nextId = 1;
  let socket: WebSocket;

  const open = () => {
    socket = new WebSocket(url, apiProtocols(token));
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
        const data = encodeWire({ type: 'call', id, method, params });
        const size = typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data.byteLength;
        // The server closes the socket on a bigger message; say why here instead.
        if (size > MAX_MESSAGE_BYTES) return reject(new RemoteError(tooLarge(method, size), true));
        pending.set(id, { resolve, reject });
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
