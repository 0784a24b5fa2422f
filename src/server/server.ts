import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CallMessage, ContractError, decodeWire, encodeWire, parseParams, type EngineEvent, type ServerMessage } from '../shared/index';
import { isUserError } from '../engine/errors';
import { pathLikeReference, referenceRefusal } from '../shared/references';
import { API_PROTOCOL, authorizeApi, authorizePeer, newToken } from './auth';
import { mebibytes, SERVER_LIMITS } from './limits';
import { serveStatic } from './static';

/** What the server needs from the engine: the supervisor in production, anything alike in tests. */
export interface EngineHandle {
  call(method: CallMessage['method'], params: unknown): Promise<unknown>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
}

export interface ServeOptions {
  engine: EngineHandle;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** Only tests change this (to prove non-loopback peers are refused); the CLI always binds 127.0.0.1. */
  host?: string;
  /** Only tests lower these. */
  limits?: Partial<Record<keyof typeof SERVER_LIMITS, number>>;
}

export interface RunningServer {
  /** The lab's address; the token rides in the fragment, which browsers never send to any server. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n\r\npatchlab: ${reason}\n`);
}

function byteLength(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : (data as ArrayBuffer | Buffer).byteLength;
}

function fail(res: ServerResponse, status: number, reason: string): void {
  try {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`patchlab: ${reason}\n`);
  } catch {
    res.destroy();
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const limits = { ...SERVER_LIMITS, ...options.limits };
  const sockets = new Set<WebSocket>();
  let pendingBytes = 0;
  let port = 0;

  // Every path through a request is inside a try: one bad request answers 4xx/5xx, never ends the process.
  const http: Server = createServer((req, res) => {
    try {
      const verdict = authorizePeer(req, port);
      if (!verdict.ok) return fail(res, verdict.status, verdict.reason);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      // The UI is the public renderer bundle: no secrets, so no token; the API below needs one.
      serveStatic(options.rendererDir, new URL(req.url ?? '/', 'http://127.0.0.1').pathname, res, port);
    } catch {
      fail(res, 500, 'internal error');
    }
  });
  http.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(API_PROTOCOL) ? API_PROTOCOL : false),
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      const verdict = authorizeApi(req, token, port);
      if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.reason);
      if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/api') return refuseUpgrade(socket, 404, 'the API is at /api');
      if (sockets.size >= limits.maxConnections) return refuseUpgrade(socket, 503, `at most ${limits.maxConnections} lab connections at once; close another tab`);
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        let inFlight = 0;
        ws.on('close', () => sockets.delete(ws));
        // Oversized or malformed frames: ws closes the socket (1009/1002) and reports here; without a listener it would throw.
        ws.on('error', () => ws.terminate());
        ws.on('message', (data, isBinary) => {
          if (inFlight >= limits.maxCallsPerConnection) return refuseCall(ws, data, isBinary, `too many calls at once (at most ${limits.maxCallsPerConnection} per connection)`);
          const size = byteLength(data);
          if (pendingBytes + size > limits.maxPendingBytes) return refuseCall(ws, data, isBinary, `the server is busy with ${mebibytes(pendingBytes)} of calls; try again when they finish`);
          inFlight++;
          pendingBytes += size;
          void answer(ws, data, isBinary).finally(() => {
            inFlight--;
            pendingBytes -= size;
          });
        });
      });
    } catch {
      refuseUpgrade(socket, 500, 'internal error');
    }
  });

  const send = (ws: WebSocket, message: ServerMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    try {
      ws.send(encodeWire(message));
    } catch {
      ws.terminate();
    }
  };

  function decode(data: RawData, isBinary: boolean): unknown {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    return decodeWire(isBinary ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.toString('utf8'));
  }

  function refuseCall(ws: WebSocket, data: RawData, isBinary: boolean, message: string): void {
    let id: unknown;
    try {
      id = (decode(data, isBinary) as { id?: unknown } | null)?.id;
    } catch {
      id = undefined;
    }
    if (typeof id === 'number') send(ws, { type: 'result', id, ok: false, error: { message, user: true } });
  }

  async function answer(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
    let raw: unknown;
    try {
      raw = decode(data, isBinary);
    } catch {
      ws.close(1003, 'malformed message');
      return;
    }
    const call = CallMessage.safeParse(raw);
    if (!call.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number') send(ws, { type: 'result', id, ok: false, error: { message: 'malformed call', user: true } });
      return;
    }
    const { id, method, params } = call.data;
    try {
      // Refuse what the contract does not allow before it costs the engine anything.
      parseParams(method, params);
      const pathLike = pathLikeReference(params);
      if (pathLike) throw new ContractError(referenceRefusal(method, pathLike));
      send(ws, { type: 'result', id, ok: true, value: await options.engine.call(method, params) });
    } catch (error) {
      const user = error instanceof ContractError || isUserError(error) || (error as { user?: unknown } | null)?.user === true;
      send(ws, { type: 'result', id, ok: false, error: { message: error instanceof Error ? error.message : String(error), user } });
    }
  }

  const unsubscribe = options.engine.onEvent((event) => {
    for (const ws of sockets) {
      if (event.type === 'progress' && ws.bufferedAmount > limits.maxBacklogBytes) continue;
      send(ws, { type: 'event', event });
    }
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  port = (http.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
