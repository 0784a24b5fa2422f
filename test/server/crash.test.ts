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
