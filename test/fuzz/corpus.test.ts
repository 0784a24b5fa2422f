import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEngineService } from '../../src/engine/service';
import { modelProtoType } from '../../src/engine/onnx/proto';
import { authorizeApi, authorizePeer } from '../../src/server/auth';
import { startServer, type RunningServer } from '../../src/server/server';
import { decodeWire, encodeWire } from '../../src/shared/index';
import { runPatchlab, runPatchlabInProcess } from '../helpers/cli';
import { modelFixture, tempDir } from '../helpers/paths';
import { makeFifo, onnxWithExternalData, pngHeaderOnly, tfjsWithShard } from './hostile';

/* eslint-disable @typescript-eslint/no-explicit-any -- protobuf messages are untyped */

/**
 * A corpus of bad inputs through the CLI and the server. Every case must be answered with one
 * clear line (CLI: exit 1, no stack) or a 4xx / an error reply (server), nothing may crash or hang,
 * and nothing outside the case's own folders is read into a model or written.
 */

let root: string;
let outside: string;
let home: string;
let previousHome: string | undefined;
const SECRET = 'the user secret that must never be read into a model';

beforeAll(() => {
  root = tempDir('patchlab-fuzz-');
  outside = join(root, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.bin'), SECRET.padEnd(4096, '!'));
  home = join(root, 'home');
  mkdirSync(home);
  previousHome = process.env.PATCHLAB_HOME;
  process.env.PATCHLAB_HOME = home;
});

afterAll(() => {
  if (previousHome === undefined) delete process.env.PATCHLAB_HOME;
  else process.env.PATCHLAB_HOME = previousHome;
  // Nothing wrote outside the case folders: the secret is as it was, and nothing new sits beside it.
  expect(readFileSync(join(outside, 'secret.bin'), 'utf8').startsWith(SECRET)).toBe(true);
  expect(readdirSync(outside)).toEqual(['secret.bin']);
});

function caseDir(name: string): string {
  const dir = join(root, 'cases', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function expectOneLine(result: { code: number; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at |Error: /);
}

const tinynet = () => modelFixture('tinynet.onnx');

describe('fuzz: images through `patchlab predict`', () => {
  const images: [string, () => Uint8Array, RegExp][] = [
    ['empty.jpg', () => new Uint8Array(), /empty\.jpg: cannot decode image/],
    ['truncated.jpg', () => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]), /truncated\.jpg: cannot decode image/],
    ['truncated.png', () => pngHeaderOnly(64, 64).subarray(0, 30), /truncated\.png: cannot decode image/],
    ['corrupt.png', () => pngHeaderOnly(64, 64), /corrupt\.png: cannot decode image/],
    ['text.png', () => new TextEncoder().encode('not an image at all\n'), /text\.png: cannot decode image/],
    ['random.webp', () => Uint8Array.from({ length: 2048 }, (_, i) => (i * 2654435761) >>> 24), /random\.webp: cannot decode image/],
    ['bomb.png', () => pngHeaderOnly(100_000, 100_000), /bomb\.png: 100000x100000 is 10000 MP, more than the 67 MP patchlab decodes/],
    ['wide.png', () => pngHeaderOnly(1_000_000, 100), /wide\.png: 1000000x100 is 100 MP/],
  ];
  for (const [name, bytes, pattern] of images) {
    it(name, async () => {
      const file = join(caseDir('images'), name);
      writeFileSync(file, bytes());
      expectOneLine(await runPatchlabInProcess(['predict', tinynet(), file]), pattern);
    });
  }
});

describe('fuzz: ONNX models through `patchlab models info` and `predict`', () => {
  const tinyBytes = () => readFileSync(tinynet());
  const models: [string, () => Uint8Array, RegExp][] = [
    ['empty.onnx', () => new Uint8Array(), /empty\.onnx: empty file, not an ONNX model/],
    ['text.onnx', () => new TextEncoder().encode('this is a text file, not a model\n'), /text\.onnx: (not an ONNX model|truncated or corrupt)/],
    ['truncated.onnx', () => tinyBytes().subarray(0, 200), /truncated\.onnx: truncated or corrupt ONNX file/],
    ['half.onnx', () => tinyBytes().subarray(0, Math.floor(tinyBytes().byteLength / 2)), /half\.onnx: truncated or corrupt ONNX file/],
    ['random.onnx', () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 40503) & 0xff), /random\.onnx: (not an ONNX model|truncated or corrupt)/],
    ['json.onnx', () => new TextEncoder().encode('{"format":"graph-model"}'), /json\.onnx: (not an ONNX model|truncated or corrupt)/],
  ];
  for (const [name, bytes, pattern] of models) {
    it(name, async () => {
      const file = join(caseDir('onnx'), name);
      writeFileSync(file, bytes());
      expectOneLine(await runPatchlabInProcess(['models', 'info', file]), pattern);
    });
  }

  it('an unsupported op', async () => {
    const proto: any = modelProtoType().decode(readFileSync(tinynet()));
    proto.graph.node[0].op_type = 'NoSuchOpAnywhere';
    const file = join(caseDir('onnx'), 'unsupported.onnx');
    writeFileSync(file, modelProtoType().encode(proto).finish());
    const image = join(caseDir('onnx'), 'ok.png');
    writeFileSync(image, readFileSync(modelFixture('../images/group1.jpg')));
    expectOneLine(await runPatchlabInProcess(['predict', file, image]), /unsupported\.onnx: .*NoSuchOpAnywhere/);
  });

  const external: [string, (dir: string) => string, RegExp][] = [
    ['absolute path', () => join(outside, 'secret.bin'), /absolute path/],
    ['/dev/zero', () => '/dev/zero', /absolute path/],
    ['/etc/passwd', () => '/etc/passwd', /absolute path/],
    ['../ out of the folder', () => '../../outside/secret.bin', /'\.\.'/],
    ['a Windows drive path', () => 'C:\\Users\\me\\secret.bin', /absolute path/],
    ['a symlink out', (dir) => (symlinkSync(join(outside, 'secret.bin'), join(dir, 'link.bin')), 'link.bin'), /outside the model's folder/],
    ['a symlink to a device', (dir) => (symlinkSync('/dev/zero', join(dir, 'zero.bin')), 'zero.bin'), /outside the model's folder/],
    ['a fifo', (dir) => (makeFifo(join(dir, 'pipe.bin')), 'pipe.bin'), /not a regular file/],
    ['a missing file', () => 'nowhere.bin', /is missing/],
  ];
  external.forEach(([name, location, pattern], i) => {
    it(`external data: ${name}`, async () => {
      const dir = caseDir(`external-${i}`);
      const file = onnxWithExternalData(dir, location(dir));
      expectOneLine(await runPatchlabInProcess(['models', 'info', file]), pattern);
    });
  });
});

describe('fuzz: TF.js manifests through `patchlab convert`', () => {
  const manifests: [string, (dir: string) => string, RegExp][] = [
    ['a ../ shard', (dir) => tfjsWithShard(dir, '../../outside/secret.bin'), /'\.\.'/],
    ['an absolute shard', (dir) => tfjsWithShard(dir, join(outside, 'secret.bin')), /absolute path/],
    ['a /dev/zero shard', (dir) => tfjsWithShard(dir, '/dev/zero'), /absolute path/],
    ['a symlinked shard', (dir) => (symlinkSync(join(outside, 'secret.bin'), join(dir, 'w.bin')), tfjsWithShard(dir, 'w.bin')), /outside the model's folder/],
    ['a fifo shard', (dir) => (makeFifo(join(dir, 'w.bin')), tfjsWithShard(dir, 'w.bin')), /not a regular file/],
    ['paths that are not a list', (dir) => (writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: { node: [] }, weightsManifest: [{ paths: '../x', weights: [] }] })), join(dir, 'model.json')), /weightsManifest/],
    ['invalid JSON', (dir) => (writeFileSync(join(dir, 'model.json'), '{"modelTopology": '), join(dir, 'model.json')), /not valid JSON/],
    ['a layers model', (dir) => (writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: {} })), join(dir, 'model.json')), /only TF\.js graph models convert/],
  ];
  manifests.forEach(([name, make, pattern], i) => {
    it(name, async () => {
      const dir = caseDir(`tfjs-${i}`);
      expectOneLine(await runPatchlabInProcess(['convert', make(dir), '--out', join(dir, 'out.onnx')]), pattern);
      expect(existsSync(join(dir, 'out.onnx'))).toBe(false);
    });
  });
});

describe('fuzz: .npy inputs through `patchlab grad`', () => {
  const npy = (descr: string, shape: string, body: Uint8Array) => {
    let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
    header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n';
    const head = Buffer.alloc(10);
    Buffer.from('\x93NUMPY', 'latin1').copy(head);
    head[6] = 1;
    head.writeUInt16LE(header.length, 8);
    return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
  };
  const inputs: [string, () => Uint8Array, RegExp][] = [
    ['strings.npy', () => npy('<U8', '(1,)', new Uint8Array(32)), /strings\.npy: unsupported \.npy dtype '<U8'/],
    ['complex.npy', () => npy('<c8', '(1,)', new Uint8Array(8)), /complex\.npy: unsupported \.npy dtype/],
    ['objects.npy', () => npy('|O', '(1,)', new Uint8Array(8)), /objects\.npy: unsupported \.npy dtype/],
    ['bad-magic.npy', () => new TextEncoder().encode('not numpy'), /bad-magic\.npy: /],
    ['short.npy', () => npy('<f4', '(1, 3, 32, 32)', new Uint8Array(12)), /short\.npy: /],
  ];
  for (const [name, bytes, pattern] of inputs) {
    it(name, async () => {
      const file = join(caseDir('npy'), name);
      writeFileSync(file, bytes());
      expectOneLine(await runPatchlabInProcess(['grad', tinynet(), file, '--out', join(caseDir('npy'), 'g.npy')]), pattern);
    });
  }

  it('the real binary: one line, exit 1, no stack (a corrupt image)', () => {
    const file = join(caseDir('binary'), 'corrupt.png');
    writeFileSync(file, pngHeaderOnly(64, 64));
    expectOneLine(runPatchlab(['predict', tinynet(), file], { PATCHLAB_HOME: home }), /corrupt\.png: cannot decode image/);
  });
});

// ---------------------------------------------------------------------------------------------

function httpRequest(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: { host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function open(server: RunningServer, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, ['patchlab', `patchlab.token.${server.token}`], { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_r, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function reply(ws: WebSocket, id: number, send: () => void): Promise<{ ok: boolean; error?: { message: string; user: boolean } } | { closed: number }> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer, isBinary: boolean) => {
      const m = decodeWire(isBinary ? new Uint8Array(data) : data.toString()) as { type: string; id?: number };
      if (m.type === 'result' && m.id === id) resolve(m as never);
    };
    ws.on('message', onMessage);
    ws.once('close', (code) => resolve({ closed: code }));
    send();
  });
}

describe('fuzz: the server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const renderer = caseDir('renderer');
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>patchlab</title>');
    server = await startServer({ engine: createEngineService(), rendererDir: renderer, port: 0, limits: { maxMessageBytes: 1024 * 1024, maxConnections: 3 } });
  });
  afterAll(async () => {
    await server.close();
  });
  const alive = async () => expect(await httpRequest(server.port, {})).toBe(200);

  it('malformed cookies never crash it (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 64 }), async (value) => {
        const cookie = `patchlab_token_${server.port}=${encodeURIComponent(value).replace(/%(..)/g, (m, h: string) => (h.charCodeAt(0) % 3 === 0 ? '%' + h[0] : m))}`;
        expect(await httpRequest(server.port, { headers: { cookie } })).toBe(200);
      }),
      { numRuns: 25 },
    );
    expect(await httpRequest(server.port, { headers: { cookie: `patchlab_token_${server.port}=%E0%A4%A` } })).toBe(200);
    await alive();
  });

  it('authorize never throws on arbitrary headers and grants only the exact token (property)', () => {
    const header = fc.option(fc.string({ maxLength: 80 }), { nil: undefined });
    fc.assert(
      fc.property(header, header, header, header, fc.option(fc.constantFrom('127.0.0.1', '10.0.0.1', '::1', ''), { nil: undefined }), (host, origin, token, protocol, address) => {
        const req = { socket: { remoteAddress: address }, url: '/api', headers: { host, origin, 'x-patchlab-token': token, 'sec-websocket-protocol': protocol, cookie: token } } as never;
        const peer = authorizePeer(req, 9);
        const api = authorizeApi(req, 'the-real-token', 9);
        expect([peer.ok, api.ok]).not.toContain(undefined);
        if (api.ok) expect(token === 'the-real-token' || (protocol ?? '').includes('patchlab.token.the-real-token')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('Origin: null and foreign origins are refused, for the page and the API', async () => {
    expect(await httpRequest(server.port, { headers: { origin: 'null' } })).toBe(403);
    await expect(open(server, { origin: 'null' })).rejects.toThrow('HTTP 403');
    await expect(open(server, { origin: 'http://127.0.0.1:1' })).rejects.toThrow('HTTP 403');
  });

  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'BREW']) {
    it(`HTTP ${method} gets a 4xx`, async () => {
      const status = await httpRequest(server.port, { method, body: '{"a":' });
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      await alive();
    });
  }

  it('a request line the HTTP parser refuses gets a 400', async () => {
    expect(await httpRequest(server.port, { headers: { 'x-bad': 'a\u0001b' } }).catch(() => 400)).toBe(400);
    await alive();
  });

  it('malformed, unknown and wrongly typed calls are answered with errors, not crashes', async () => {
    const ws = await open(server);
    expect(await reply(ws, 1, () => ws.send(encodeWire({ type: 'call', id: 1, method: 'rmRf', params: {} })))).toMatchObject({ ok: false, error: { message: 'malformed call' } });
    expect(await reply(ws, 2, () => ws.send(encodeWire({ type: 'call', id: 2, method: 'readScene', params: { set: 42 } })))).toMatchObject({ ok: false, error: { user: true } });
    expect(await reply(ws, 3, () => ws.send(encodeWire({ type: 'call', id: 3, method: 'importModel', params: { name: 'x', format: 'tfjs', files: [{ name: '../../x.bin', bytes: new Uint8Array(1) }], head: { kind: 'classifier' } } })))).toMatchObject({ ok: false, error: { user: true } });
    expect(await reply(ws, 4, () => ws.send('{"type":"call","id":4,"method":"capabilities","params":'))).toEqual({ closed: 1003 });
    await alive();
  });

  it('binary garbage frames never kill it (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (bytes) => {
        const ws = await open(server);
        const answered = new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          setTimeout(resolve, 100);
        });
        ws.send(bytes);
        await answered;
        ws.terminate();
      }),
      { numRuns: 20 },
    );
    await alive();
  });

  it('an oversized frame closes that socket (1009) and the server carries on', async () => {
    const ws = await open(server);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send(new Uint8Array(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    await alive();
  });

  it('more connections than allowed get a 503', async () => {
    const sockets = [await open(server), await open(server), await open(server)];
    await expect(open(server)).rejects.toThrow('HTTP 503');
    sockets.forEach((s) => s.close());
    await alive();
  });

  it('an uploaded TF.js manifest cannot pull a file from outside into a saved model', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const ws = await open(server);
    const manifest = new Uint8Array(readFileSync(tfjsWithShard(caseDir('upload'), join(outside, 'secret.bin'))));
    const result = await reply(ws, 5, () =>
      ws.send(encodeWire({ type: 'call', id: 5, method: 'importModel', params: { name: 'stolen', format: 'tfjs', files: [{ name: 'model.json', bytes: manifest }], head: { kind: 'classifier' } } })),
    );
    expect(result).toMatchObject({ ok: false, error: { user: true, message: expect.stringMatching(/absolute path/) } });
    const relative = new Uint8Array(readFileSync(tfjsWithShard(caseDir('upload2'), '../../../../../../../../..' + join(outside, 'secret.bin'))));
    const again = await reply(ws, 6, () =>
      ws.send(encodeWire({ type: 'call', id: 6, method: 'importModel', params: { name: 'stolen', format: 'tfjs', files: [{ name: 'model.json', bytes: relative }], head: { kind: 'classifier' } } })),
    );
    expect(again).toMatchObject({ ok: false, error: { user: true, message: expect.stringMatching(/'\.\.'/) } });
    expect(existsSync(join(home, 'models', 'stolen'))).toBe(false);
    ws.close();
  });

  it('wrote nothing but its own folders under PATCHLAB_HOME', () => {
    const entries = existsSync(home) ? readdirSync(home) : [];
    for (const e of entries) expect(statSync(join(home, e)).isDirectory()).toBe(true);
  });
});
