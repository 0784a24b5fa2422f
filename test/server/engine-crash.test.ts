import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serveLab, type ServedLab } from '../../src/server/serve';
import { decodeWire, encodeWire, type EngineEvent } from '../../src/shared/index';
import { tempDir } from '../helpers/paths';

function connect(lab: ServedLab): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${lab.server.port}/api`, ['patchlab', `patchlab.token.${lab.server.token}`]);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, method: string): Promise<{ ok: boolean; value?: unknown }> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer, isBinary: boolean) => {
      const m = decodeWire(isBinary ? new Uint8Array(data) : data.toString()) as { type: string; id?: number };
      if (m.type === 'result' && m.id === id) {
        ws.off('message', onMessage);
        resolve(m as never);
      }
    };
    ws.on('message', onMessage);
    ws.send(encodeWire({ type: 'call', id, method, params: {} }));
  });
}

describe('patchlab serve survives a native crash of the engine', () => {
  let lab: ServedLab | undefined;
  let previousHome: string | undefined;
  beforeEach(() => {
    previousHome = process.env.PATCHLAB_HOME;
    process.env.PATCHLAB_HOME = tempDir('patchlab-home-');
  });
  afterEach(async () => {
    await lab?.server.close();
    await lab?.engine.close();
    lab = undefined;
    if (previousHome === undefined) delete process.env.PATCHLAB_HOME;
    else process.env.PATCHLAB_HOME = previousHome;
  });

  it('runs the engine in its own process and restarts it after a SIGSEGV while the server and its sockets stay up', async () => {
    lab = await serveLab(0);
    const ws = await connect(lab);
    expect(await call(ws, 1, 'capabilities')).toMatchObject({ ok: true });
    const first = lab.enginePid();
    expect(first).toBeTypeOf('number');
    expect(first).not.toBe(process.pid);

    const events: EngineEvent[] = [];
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const m = decodeWire(isBinary ? new Uint8Array(data) : data.toString()) as { type: string; event?: EngineEvent };
      if (m.type === 'event' && m.event) events.push(m.event);
    });
    // What a segfault in onnxruntime looks like from outside.
    process.kill(first!, 'SIGSEGV');
    await expect.poll(() => events.map((e) => (e.type === 'engine' ? e.state : '')), { timeout: 20_000 }).toContain('ready');
    expect(events.find((e) => e.type === 'engine' && e.state === 'crashed')).toMatchObject({ message: expect.stringMatching(/SIGSEGV/) });
    expect(lab.enginePid()).not.toBe(first);
    // Same socket, new engine.
    expect(await call(ws, 2, 'capabilities')).toMatchObject({ ok: true });
    ws.close();
  }, 60_000);
});
