import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claimSingleInstance } from '../../src/main/single-instance';
import { ROOT } from '../helpers/paths';

describe('packaged app hardening (electron-builder.json, build/)', () => {
  const config = JSON.parse(readFileSync(`${ROOT}/electron-builder.json`, 'utf8')) as { electronFuses?: Record<string, boolean> };

  it('flips the Electron fuses: no ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect; encrypted cookies; code only from a validated app.asar', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('does not disable macOS library validation (our native libraries are signed with the app)', () => {
    const plist = readFileSync(`${ROOT}/build/entitlements.mac.plist`, 'utf8');
    expect(plist).not.toContain('com.apple.security.cs.disable-library-validation');
    expect(plist).toContain('com.apple.security.device.camera');
  });
});

describe('single instance', () => {
  function fakeApp(primary: boolean) {
    const app = new EventEmitter() as EventEmitter & { requestSingleInstanceLock(): boolean; quit(): void; quitCalls: number };
    app.quitCalls = 0;
    app.requestSingleInstanceLock = () => primary;
    app.quit = () => void app.quitCalls++;
    return app;
  }

  it('a second start quits and hands over to the first', () => {
    const app = fakeApp(false);
    expect(claimSingleInstance(app, () => undefined)).toBe(false);
    expect(app.quitCalls).toBe(1);
  });

  it('the first instance brings its window forward when another start is attempted', () => {
    const app = fakeApp(true);
    const calls: string[] = [];
    const window = { isDestroyed: () => false, isMinimized: () => true, restore: () => calls.push('restore'), focus: () => calls.push('focus') };
    expect(claimSingleInstance(app, () => window)).toBe(true);
    expect(app.quitCalls).toBe(0);
    app.emit('second-instance');
    expect(calls).toEqual(['restore', 'focus']);
  });
});
