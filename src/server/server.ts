import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CallMessage, ContractError, decodeWire, encodeWire, parseParams, type EngineEvent, type ServerMessage } from '../shared/index';
import { authorize, newToken, tokenCookie } from './auth';
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
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** A slow client must not make the engine wait: progress events are dropped for it beyond this backlog. */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const sockets = new Set<WebSocket>();
  let port = 0;

  const http: Server = createServer((req, res) => {
    const verdict = authorize(req, token, port);
    if (!verdict.ok) {
      res.writeHead(verdict.status, { 'content-type': 'text/plain; charset=utf-8' }).end(`patchlab: ${verdict.reason}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const cookie: Record<string, string> = verdict.viaQuery ? { 'set-cookie': `${tokenCookie(port)}=${token}; Path=/; HttpOnly; SameSite=Strict` } : {};
    serveStatic(options.rendererDir, new URL(req.url ?? '/', 'http://127.0.0.1').pathname, res, port, cookie);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 300 * 1024 * 1024 });
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const verdict = authorize(req, token, port);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (!verdict.ok || path !== '/api') {
      const status = verdict.ok ? 404 : verdict.status;
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data, isBinary) => void answer(ws, data, isBinary));
    });
  });

  const send = (ws: WebSocket, message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeWire(message));
  };

  async function answer(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
    let raw: unknown;
    try {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      raw = decodeWire(isBinary ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.toString('utf8'));
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
      send(ws, { type: 'result', id, ok: true, value: await options.engine.call(method, params) });
    } catch (error) {
      const user = error instanceof ContractError || (error as { user?: unknown }).user === true;
      send(ws, { type: 'result', id, ok: false, error: { message: (error as Error).message, user } });
    }
  }

  const unsubscribe = options.engine.onEvent((event) => {
    for (const ws of sockets) {
      if (event.type === 'progress' && ws.bufferedAmount > MAX_BACKLOG_BYTES) continue;
      send(ws, { type: 'event', event });
    }
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  port = (http.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
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
