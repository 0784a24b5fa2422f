import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, type EngineHandle } from '../../src/server/server';
import { tempDir } from '../helpers/paths';

function rendererFixture(): string {
  const dir = tempDir('patchlab-renderer-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>patchlab</title>');
  return dir;
}

function get(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const idleEngine: EngineHandle = { call: async () => ({}), onEvent: () => () => undefined };

describe('patchlab serve never dies on one request', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('ignores a malformed token cookie (no crash, no token by cookie) and keeps serving', async () => {
    server = await startServer({ engine: idleEngine, rendererDir: rendererFixture(), port: 0 });
    const port = server.port;
    const host = `127.0.0.1:${port}`;
    const cookie = `patchlab_token_${port}=%E0%A4%A`;
    expect(await get(port, '/', { host, cookie })).toBe(200);
    // The API refuses it like any request without a token.
    expect(await get(port, '/api', { host, cookie, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' })).toBe(401);
    // Still alive: the next request is answered.
    expect(await get(port, '/', { host })).toBe(200);
  });

  it('turns a throw inside a request into a 500 and keeps serving', async () => {
    // index.html is a folder: reading it throws EISDIR inside the handler.
    const dir = tempDir('patchlab-renderer-');
    mkdirSync(join(dir, 'index.html'));
    server = await startServer({ engine: idleEngine, rendererDir: dir, port: 0 });
    const host = `127.0.0.1:${server.port}`;
    expect(await get(server.port, '/', { host })).toBe(500);
    expect(await get(server.port, '/', { host })).toBe(500);
  });
});

describe('API fields that name models and palettes take names, never filesystem paths', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('refuses a path in model, surrogate, ensemble models and palette before the engine sees it', async () => {
    const seen: unknown[] = [];
    const engine: EngineHandle = { call: async (_m, params) => (seen.push(params), {}), onEvent: () => () => undefined };
    server = await startServer({ engine, rendererDir: rendererFixture(), port: 0 });
    const { default: WebSocket } = await import('ws');
    const { decodeWire, encodeWire } = await import('../../src/shared/index');
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, ['patchlab', `patchlab.token.${server.token}`]);
    await new Promise((resolve) => ws.once('open', resolve));
    const call = (id: number, method: string, params: unknown) =>
      new Promise<{ ok: boolean; error?: { message: string; user: boolean } }>((resolve) => {
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          const m = decodeWire(isBinary ? new Uint8Array(data) : data.toString()) as { type: string; id?: number };
          if (m.type === 'result' && m.id === id) resolve(m as never);
        });
        ws.send(encodeWire({ type: 'call', id, method, params }));
      });
    const image = [{ set: 'samples', image: 'group1.jpg' }];
    const cases: [string, unknown][] = [
      ['describeModel', { model: '/home/user/private.onnx' }],
      ['describeModel', { model: '../../models/x.onnx' }],
      ['describeModel', { model: 'C:\\Users\\me\\m.onnx' }],
      ['describeModel', { model: 'stolen.json' }],
      ['describeModel', { model: '/dev/zero' }],
      ['predictFrame', { model: '/etc/passwd', image: new Uint8Array([1]) }],
      ['startJob', { kind: 'digital', params: { model: 'm', attack: 'transfer', surrogate: '/tmp/s.onnx', images: image } }],
      ['startJob', { kind: 'digital', params: { model: 'm', attack: 'pgd', images: image, defences: [{ kind: 'ensemble', models: ['ok', '/srv/other.onnx'] }] } }],
      ['exportChart', { palette: '../../../etc/palette.json' }],
    ];
    let id = 0;
    for (const [method, params] of cases) {
      const answer = await call(++id, method, params);
      expect(answer, `${method} ${JSON.stringify(params)}`).toMatchObject({ ok: false, error: { user: true, message: expect.stringMatching(/takes a name, not a path/) } });
    }
    expect(seen).toEqual([]);
    // Names still pass.
    expect(await call(id + 1, 'describeModel', { model: 'mobilenet_v2_w025' })).toMatchObject({ ok: true });
    ws.close();
  });
});

describe('serve caps what waits for the engine', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('refuses a call once the bytes waiting for the engine pass the cap, and takes calls again after', async () => {
    const waiting: (() => void)[] = [];
    const engine: EngineHandle = { call: () => new Promise((resolve) => waiting.push(() => resolve({}))), onEvent: () => () => undefined };
    const release = async () => {
      await expect.poll(() => waiting.length).toBe(1);
      waiting.shift()!();
    };
    server = await startServer({ engine, rendererDir: rendererFixture(), port: 0, limits: { maxPendingBytes: 150_000 } });
    const { default: WebSocket } = await import('ws');
    const { decodeWire, encodeWire } = await import('../../src/shared/index');
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, ['patchlab', `patchlab.token.${server.token}`]);
    await new Promise((resolve) => ws.once('open', resolve));
    const results = new Map<number, { ok: boolean; error?: { message: string } }>();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const m = decodeWire(isBinary ? new Uint8Array(data) : data.toString()) as { type: string; id: number };
      if (m.type === 'result') results.set(m.id, m as never);
    });
    const frame = (id: number) => encodeWire({ type: 'call', id, method: 'predictFrame', params: { model: 'm', image: new Uint8Array(100_000) } });
    ws.send(frame(1));
    ws.send(frame(2));
    await expect.poll(() => results.get(2)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/the server is busy with 0\.1 MiB of calls; try again when they finish/) } });
    await release();
    await expect.poll(() => results.get(1)).toMatchObject({ ok: true });
    ws.send(frame(3));
    await release();
    await expect.poll(() => results.get(3)).toMatchObject({ ok: true });
    ws.close();
  });
});
