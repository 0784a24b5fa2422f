import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEngineService } from '../../src/engine/service';
import { authorizeApi, authorizePeer } from '../../src/server/auth';
import { startServer, type RunningServer } from '../../src/server/server';
import { decodeWire, encodeWire, type EngineEvent } from '../../src/shared/index';
import { tempDir } from '../helpers/paths';

function rendererFixture(): string {
  const dir = tempDir('patchlab-renderer-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>patchlab</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  return dir;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, method }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(url: string, protocols: string[] = [], headers: Record<string, string> = {}, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers, ...(origin ? { origin } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function rpc(ws: WebSocket, id: number, method: string, params: unknown): Promise<{ ok: boolean; value?: unknown; error?: { message: string; user: boolean } }> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer, isBinary: boolean) => {
      const message = decodeWire(isBinary ? new Uint8Array(data) : data.toString()) as { type: string; id?: number };
      if (message.type === 'result' && message.id === id) {
        ws.off('message', onMessage);
        resolve(message as never);
      }
    };
    ws.on('message', onMessage);
    ws.send(encodeWire({ type: 'call', id, method, params }));
  });
}

describe('patchlab serve', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the UI (no secrets in it) without the token and never sets a cookie', async () => {
    server = await startServer({ engine: createEngineService(), rendererDir: rendererFixture(), port: 0 });
    // The token rides in the fragment, which a browser never sends to any server.
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/);
    const base = `http://127.0.0.1:${server.port}`;
    const page = await get(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>patchlab</title>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['set-cookie']).toBeUndefined();
    expect((await get(`${base}/assets/app.js`)).body).toBe('console.log(1)');
    // Paths cannot climb out of the renderer folder.
    expect((await get(`${base}/..%2f..%2fetc%2fpasswd`)).body).not.toContain('root:');
    // Only GET and HEAD.
    expect((await get(`${base}/`, {}, 'POST')).status).toBe(405);
  });

  it('takes the token only from the WebSocket subprotocol or the x-patchlab-token header, never a cookie or the query', async () => {
    server = await startServer({ engine: createEngineService(), rendererDir: rendererFixture(), port: 0 });
    const api = `ws://127.0.0.1:${server.port}/api`;
    const byProtocol = await connect(api, ['patchlab', `patchlab.token.${server.token}`]);
    expect(byProtocol.protocol).toBe('patchlab');
    byProtocol.close();
    const byHeader = await connect(api, ['patchlab'], { 'x-patchlab-token': server.token });
    byHeader.close();
    await expect(connect(`${api}?token=${server.token}`, ['patchlab'])).rejects.toThrow('HTTP 401');
    await expect(connect(api, ['patchlab'], { cookie: `patchlab_token_${server.port}=${server.token}` })).rejects.toThrow('HTTP 401');
    await expect(connect(api, ['patchlab', 'patchlab.token.wrong'])).rejects.toThrow('HTTP 401');
  });

  it('refuses WebSocket connections without the token or from another origin', async () => {
    server = await startServer({ engine: createEngineService(), rendererDir: rendererFixture(), port: 0 });
    const api = `ws://127.0.0.1:${server.port}/api`;
    await expect(connect(api)).rejects.toThrow('HTTP 401');
    // Another page on this machine (another port, a file:// page, a sandboxed frame) cannot connect even with the token.
    for (const origin of ['http://evil.example', 'http://127.0.0.1:1', 'null']) {
      await expect(connect(api, ['patchlab', `patchlab.token.${server.token}`], {}, origin)).rejects.toThrow('HTTP 403');
    }
    // A DNS-rebinding page reaches us under another host name: refused even for the static UI.
    expect((await get(`http://127.0.0.1:${server.port}/`, { host: 'attacker.example' })).status).toBe(403);
  });

  it('answers contract calls over the socket and refuses invalid ones before the engine sees them', async () => {
    const engine = createEngineService();
    const seen: string[] = [];
    const call = engine.call.bind(engine);
    engine.call = (method, params) => {
      seen.push(method);
      return call(method, params);
    };
    server = await startServer({ engine, rendererDir: rendererFixture(), port: 0 });
    const ws = await connect(`ws://127.0.0.1:${server.port}/api`, ['patchlab', `patchlab.token.${server.token}`]);
    const caps = await rpc(ws, 1, 'capabilities', {});
    expect(caps).toMatchObject({ ok: true, value: { webcam: { available: true } } });
    const bad = await rpc(ws, 2, 'readArtifact', { run: 'r', file: '../../x' });
    expect(bad).toMatchObject({ ok: false, error: { user: true, message: expect.stringMatching(/readArtifact: invalid request: file/) } });
    const frame = await rpc(ws, 3, 'predictFrame', { model: 'nope', image: new Uint8Array([255, 216, 255]) });
    expect(frame).toMatchObject({ ok: false, error: { message: expect.stringMatching(/frame: cannot decode image|unknown model/) } });
    const digital = await rpc(ws, 4, 'startJob', { kind: 'digital', params: { model: 'm', attack: 'transfer', images: [{ set: 'samples', image: 'group1.jpg' }] } });
    expect(digital).toMatchObject({ ok: false, error: { user: true, message: 'startJob: invalid request: params.surrogate: a transfer attack needs a surrogate model to craft on' } });
    const defaults = await rpc(ws, 5, 'digitalDefaults', { attack: 'pgd', norm: 'l2' });
    expect(defaults).toMatchObject({ ok: true, value: { eps: 1, norm: 'l2' } });
    expect(await rpc(ws, 6, 'digitalResults', { run: '../runs' })).toMatchObject({ ok: false, error: { user: true, message: expect.stringMatching(/digitalResults: invalid request: run/) } });
    expect(seen).toEqual(['capabilities', 'predictFrame', 'digitalDefaults']);
    ws.close();
  });

  it('forwards engine events to connected pages', async () => {
    const listeners: ((e: EngineEvent) => void)[] = [];
    const engine = { call: async () => ({}), onEvent: (l: (e: EngineEvent) => void) => (listeners.push(l), () => undefined) };
    server = await startServer({ engine, rendererDir: rendererFixture(), port: 0 });
    const ws = await connect(`ws://127.0.0.1:${server.port}/api`, ['patchlab', `patchlab.token.${server.token}`]);
    const received = new Promise((resolve) => ws.once('message', (data, isBinary) => resolve(decodeWire(isBinary ? new Uint8Array(data as Buffer) : data.toString()))));
    const preview = new Uint8Array([137, 80, 78, 71]);
    listeners.forEach((l) => l({ type: 'progress', id: 'job-1', progress: { step: 3, steps: 10, loss: { total: 0.5 }, preview } }));
    expect(await received).toEqual({ type: 'event', event: { type: 'progress', id: 'job-1', progress: { step: 3, steps: 10, loss: { total: 0.5 }, preview } } });
    ws.close();
  });
});

describe('request authorisation', () => {
  const fakeRequest = (remoteAddress: string, url: string, host: string, token = 't') => ({ socket: { remoteAddress }, url, headers: { host, 'x-patchlab-token': token } }) as never;

  it('accepts loopback peers with the token and refuses every other address', () => {
    expect(authorizeApi(fakeRequest('127.0.0.1', '/api', '127.0.0.1:9'), 't', 9)).toEqual({ ok: true });
    expect(authorizeApi(fakeRequest('::ffff:127.0.0.1', '/api', 'localhost:9'), 't', 9).ok).toBe(true);
    expect(authorizeApi(fakeRequest('::1', '/api', '[::1]:9'), 't', 9).ok).toBe(true);
    expect(authorizeApi(fakeRequest('127.0.0.1', '/api', '127.0.0.1:9', 'u'), 't', 9)).toMatchObject({ ok: false, status: 401 });
    for (const address of ['192.168.1.20', '10.0.0.2', '::ffff:192.168.1.20', 'fe80::1', undefined]) {
      expect(authorizeApi(fakeRequest(address as string, '/api', '127.0.0.1:9'), 't', 9)).toMatchObject({ ok: false, status: 403 });
      expect(authorizePeer(fakeRequest(address as string, '/', '127.0.0.1:9'), 9)).toMatchObject({ ok: false, status: 403 });
    }
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!external)('refuses a real connection arriving on a non-loopback interface', async () => {
    const server = await startServer({ engine: createEngineService(), rendererDir: rendererFixture(), port: 0, host: '0.0.0.0' });
    try {
      const res = await get(`http://${external}:${server.port}/`, { host: `127.0.0.1:${server.port}` });
      expect(res.status).toBe(403);
      expect(res.body).toContain('only connections from this machine');
    } finally {
      await server.close();
    }
  });
});
