import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngineService } from '../../src/engine/service';
import { APP_ORIGIN } from '../../src/main/security';
import { EVENT_CHANNEL, METHODS, ipcChannel, type CallMessage } from '../../src/shared/index';
import { tempDir } from '../helpers/paths';

/** A utility process that runs the real engine service in-process and can be killed. */
class FakeUtilityProcess extends EventEmitter {
  private readonly service = createEngineService();
  postMessage(message: CallMessage) {
    this.service.call(message.method, message.params).then(
      (value) => this.emit('message', { type: 'result', id: message.id, ok: true, value }),
      (error: Error) => this.emit('message', { type: 'result', id: message.id, ok: false, error: { message: error.message, user: true } }),
    );
  }
  kill() {
    this.emit('exit', 0);
  }
}

const electron = vi.hoisted(() => {
  const state = {
    handlers: new Map<string, (event: unknown, params: unknown) => Promise<unknown>>(),
    protocolHandler: undefined as undefined | ((req: { url: string }) => Promise<Response>),
    requestHandler: undefined as undefined | ((wc: unknown, p: string, cb: (ok: boolean) => void, d: unknown) => void),
    checkHandler: undefined as undefined | ((wc: unknown, p: string, origin: string, d: { mediaType?: string }) => boolean),
    appListeners: new Map<string, (...args: unknown[]) => void>(),
    forks: [] as unknown[],
    windows: [] as { options: Record<string, unknown>; sent: [string, unknown][]; url?: string }[],
    makeFork: undefined as undefined | (() => unknown),
    primary: true,
    quits: 0,
  };
  class BrowserWindow {
    record: { options: Record<string, unknown>; sent: [string, unknown][]; url?: string };
    webContents: { send: (channel: string, payload: unknown) => void };
    constructor(options: Record<string, unknown>) {
      this.record = { options, sent: [] };
      state.windows.push(this.record);
      this.webContents = { send: (channel, payload) => this.record.sent.push([channel, payload]) };
    }
    isDestroyed() {
      return false;
    }
    once() {}
    async loadURL(url: string) {
      this.record.url = url;
    }
  }
  return {
    state,
    module: {
      app: { requestSingleInstanceLock: () => state.primary, whenReady: async () => undefined, on: (event: string, l: (...args: unknown[]) => void) => state.appListeners.set(event, l), quit: () => void state.quits++, isPackaged: true },
      protocol: { handle: (_scheme: string, h: (req: { url: string }) => Promise<Response>) => (state.protocolHandler = h), registerSchemesAsPrivileged: () => undefined },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (h: typeof state.requestHandler) => (state.requestHandler = h),
          setPermissionCheckHandler: (h: typeof state.checkHandler) => (state.checkHandler = h),
        },
      },
      ipcMain: { handle: (channel: string, h: (event: unknown, params: unknown) => Promise<unknown>) => state.handlers.set(channel, h) },
      utilityProcess: {
        fork: (...args: unknown[]) => {
          state.forks.push(args);
          return state.makeFork?.();
        },
      },
      BrowserWindow,
    },
  };
});

vi.mock('electron', () => electron.module);

describe('desktop app start-up (electron replaced at the boundary)', () => {
  const renderer = tempDir('patchlab-app-renderer-');
  const forks: FakeUtilityProcess[] = [];
  const page = { senderFrame: { url: `${APP_ORIGIN}/index.html` } };

  beforeAll(async () => {
    process.env.PATCHLAB_HOME = tempDir('patchlab-app-home-');
    mkdirSync(join(renderer, 'assets'));
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>patchlab</title>');
    electron.state.makeFork = () => {
      forks.push(new FakeUtilityProcess());
      return forks.at(-1);
    };
    const { startApp } = await import('../../src/main/app');
    await startApp({ rendererDir: renderer, preloadPath: '/x/out/preload/index.cjs', enginePath: '/x/out/main/chunks/engine-entry.js' });
  });

  it('opens one sandboxed window on the app origin with the CommonJS preload', () => {
    expect(electron.state.windows).toHaveLength(1);
    const [win] = electron.state.windows;
    expect(win.url).toBe(`${APP_ORIGIN}/index.html`);
    expect(win.options.webPreferences).toMatchObject({ preload: '/x/out/preload/index.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false });
  });

  it('serves the renderer over app:// with the CSP header and nothing outside it', async () => {
    const ok = await electron.state.protocolHandler!({ url: `${APP_ORIGIN}/index.html` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
    const escape = await electron.state.protocolHandler!({ url: `${APP_ORIGIN}/..%2f..%2f..%2f..%2fetc%2fpasswd` });
    expect(escape.status).not.toBe(200);
    expect(await escape.text()).not.toContain('root:');
  });

  it('installs the permission handlers on the session', () => {
    const decide = (permission: string, details: unknown) => {
      let granted: boolean | undefined;
      electron.state.requestHandler!(null, permission, (ok) => (granted = ok), details);
      return granted;
    };
    expect(decide('media', { requestingUrl: `${APP_ORIGIN}/index.html`, mediaTypes: ['video'] })).toBe(true);
    expect(decide('media', { requestingUrl: `${APP_ORIGIN}/index.html`, mediaTypes: ['audio'] })).toBe(false);
    expect(decide('geolocation', { requestingUrl: `${APP_ORIGIN}/index.html` })).toBe(false);
    expect(electron.state.checkHandler!(null, 'media', APP_ORIGIN, { mediaType: 'video' })).toBe(true);
    expect(electron.state.appListeners.has('web-contents-created')).toBe(true);
  });

  it('starts the engine in a utility process and answers every contract call over IPC', async () => {
    expect(electron.state.forks[0]).toEqual(['/x/out/main/chunks/engine-entry.js', [], { serviceName: 'patchlab engine', stdio: 'inherit' }]);
    expect([...electron.state.handlers.keys()].sort()).toEqual(METHODS.map(ipcChannel).sort());
    const reply = await electron.state.handlers.get('patchlab:capabilities')!(page, {});
    expect(reply).toMatchObject({ ok: true, value: { webcam: { available: true } } });
  });

  it('validates IPC requests before the engine sees them and refuses other frames', async () => {
    const posted: unknown[] = [];
    const original = forks[0].postMessage.bind(forks[0]);
    forks[0].postMessage = (m: CallMessage) => {
      posted.push(m.method);
      original(m);
    };
    const bad = await electron.state.handlers.get('patchlab:readArtifact')!(page, { run: 'r', file: '../../../etc/passwd' });
    expect(bad).toMatchObject({ ok: false, error: { user: true, message: expect.stringMatching(/readArtifact: invalid request: file/) } });
    const foreign = await electron.state.handlers.get('patchlab:listModels')!({ senderFrame: { url: 'https://evil.example/' } }, {});
    expect(foreign).toMatchObject({ ok: false, error: { message: expect.stringMatching(/refused/) } });
    const digital = await electron.state.handlers.get('patchlab:startJob')!(page, { kind: 'digital', params: { model: 'm', attack: 'fgsm', images: [{ set: 'samples', image: 'group1.jpg' }], eot: 8 } });
    expect(digital).toMatchObject({ ok: false, error: { user: true, message: 'startJob: invalid request: params.eot: EOT needs a defence with randomness to average over' } });
    const results = await electron.state.handlers.get('patchlab:digitalResults')!(page, { run: 'a/b' });
    expect(results).toMatchObject({ ok: false, error: { user: true, message: expect.stringMatching(/digitalResults: invalid request: run/) } });
    expect(posted).toEqual([]);
    forks[0].postMessage = original;
  });

  it('tells the page when the engine crashes, restarts it, and keeps answering', async () => {
    forks[0].emit('exit', 139);
    expect(forks).toHaveLength(2);
    const events = electron.state.windows[0].sent.filter(([channel]) => channel === EVENT_CHANNEL).map(([, e]) => e);
    expect(events).toEqual([
      { type: 'engine', state: 'crashed', message: expect.stringMatching(/stopped unexpectedly \(exit code 139\); restarting/) },
      { type: 'engine', state: 'ready', message: 'engine restarted' },
    ]);
    const reply = await electron.state.handlers.get('patchlab:listJobs')!(page, {});
    expect(reply).toEqual({ ok: true, value: { jobs: [] } });
  });

  it('a second start finds the first running: it quits without a window or an engine', async () => {
    electron.state.primary = false;
    const before = { windows: electron.state.windows.length, forks: electron.state.forks.length, quits: electron.state.quits };
    const { startApp } = await import('../../src/main/app');
    expect(await startApp({ rendererDir: renderer, preloadPath: '/x/p.cjs', enginePath: '/x/e.js' })).toBeUndefined();
    expect(electron.state.windows).toHaveLength(before.windows);
    expect(electron.state.forks).toHaveLength(before.forks);
    expect(electron.state.quits).toBe(before.quits + 1);
    electron.state.primary = true;
  });
});
