import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEngineService } from '../../src/engine/service';
import { authorize } from '../../src/server/auth';
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

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
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

  it('serves the UI only to requests carrying the token, then by cookie', async () => {
    server = await startServer({ engine: createEngineService(), rendererDir: rendererFixture(), port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    const base = `http://127.0.0.1:${server.port}`;
    expect((await get(`${base}/`)).status).toBe(401);
    expect((await get(`${base}/assets/app.js`)).status).toBe(401);
    expect((await get(`${base}/?token=wrong`)).status).toBe(401);

    const page = await get(server.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>patchlab</title>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    expect(cookie).toContain(server.token);
    expect((await get(`${base}/assets/app.js`, { cookie })).body).toBe('console.log(1)');
    // Paths cannot climb out of the renderer folder.
    expect((await get(`${base}/..%2f..%2fetc%2fpasswd`, { cookie })).body).not.toContain('root:');
  });

  it('refuses WebSocket connections without the token or from another origin', async () => {
    server = await startServer({ engine: createEngineService(), rendererDir: rendererFixture(), port: 0 });
    await expect(connect(`ws://127.0.0.1:${server.port}/api`)).rejects.toThrow('HTTP 401');
    await expect(connect(`ws://127.0.0.1:${server.port}/api?token=nope`)).rejects.toThrow('HTTP 401');
    const evil = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { origin: 'http://evil.example' });
    await expect(new Promise((_, reject) => evil.once('unexpected-response', (_r, res) => reject(new Error(`HTTP ${res.statusCode}`))))).rejects.toThrow('HTTP 403');
    // A DNS-rebinding page reaches us under another host name.
    expect((await get(`http://127.0.0.1:${server.port}/?token=${server.token}`, { host: 'attacker.example' })).status).toBe(403);
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
    const ws = await connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
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
    const ws = await connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    const received = new Promise((resolve) => ws.once('message', (data, isBinary) => resolve(decodeWire(isBinary ? new Uint8Array(data as Buffer) : data.toString()))));
    const preview = new Uint8Array([137, 80, 78, 71]);
    listeners.forEach((l) => l({ type: 'progress', id: 'job-1', progress: { step: 3, steps: 10, loss: { total: 0.5 }, preview } }));
    expect(await received).toEqual({ type: 'event', event: { type: 'progress', id: 'job-1', progress: { step: 3, steps: 10, loss: { total: 0.5 }, preview } } });
    ws.close();
  });
});

describe('request authorisation', () => {
  const fakeRequest = (remoteAddress: string, url: string, host: string) => ({ socket: { remoteAddress }, url, headers: { host } }) as never;

  it('accepts loopback peers with the token and refuses every other address', () => {
    expect(authorize(fakeRequest('127.0.0.1', '/?token=t', '127.0.0.1:9'), 't', 9)).toEqual({ ok: true, viaQuery: true });
    expect(authorize(fakeRequest('::ffff:127.0.0.1', '/?token=t', 'localhost:9'), 't', 9).ok).toBe(true);
    expect(authorize(fakeRequest('::1', '/?token=t', '[::1]:9'), 't', 9).ok).toBe(true);
    for (const address of ['192.168.1.20', '10.0.0.2', '::ffff:192.168.1.20', 'fe80::1', undefined]) {
      expect(authorize(fakeRequest(address as string, '/?token=t', '127.0.0.1:9'), 't', 9)).toMatchObject({ ok: false, status: 403 });
    }
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!external)('refuses a real connection arriving on a non-loopback interface', async () => {
    const server = await startServer({ engine: createEngineService(), rendererDir: rendererFixture(), port: 0, host: '0.0.0.0' });
    try {
      const res = await get(`http://${external}:${server.port}/?token=${server.token}`, { host: `127.0.0.1:${server.port}` });
      expect(res.status).toBe(403);
      expect(res.body).toContain('only connections from this machine');
    } finally {
      await server.close();
    }
  });
});
