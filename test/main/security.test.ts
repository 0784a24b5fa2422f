import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, decidePermission, decidePermissionCheck, hardenWebContents, windowOptions } from '../../src/main/security';

describe('Electron window options', () => {
  it('isolates the page: context isolation, sandbox, no Node, web security, no webviews', () => {
    const options = windowOptions('/app/out/preload/index.cjs');
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect([options.width, options.height]).toEqual([1280, 800]);
  });

  it('has a strict content security policy', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
  });
});

describe('permission decisions', () => {
  const page = `${APP_ORIGIN}/index.html`;

  it('grants the camera (video only) to our own page', () => {
    expect(decidePermission('media', { requestingUrl: page, mediaTypes: ['video'] }, APP_ORIGIN)).toBe(true);
  });

  it('refuses the microphone, other permissions and other origins', () => {
    expect(decidePermission('media', { requestingUrl: page, mediaTypes: ['video', 'audio'] }, APP_ORIGIN)).toBe(false);
    expect(decidePermission('media', { requestingUrl: page, mediaTypes: ['audio'] }, APP_ORIGIN)).toBe(false);
    expect(decidePermission('media', { requestingUrl: page, mediaTypes: [] }, APP_ORIGIN)).toBe(false);
    expect(decidePermission('media', { requestingUrl: 'https://evil.example/', mediaTypes: ['video'] }, APP_ORIGIN)).toBe(false);
    expect(decidePermission('media', { requestingUrl: 'file:///etc/passwd', mediaTypes: ['video'] }, APP_ORIGIN)).toBe(false);
    for (const p of ['geolocation', 'notifications', 'clipboard-read', 'display-capture', 'openExternal', 'fileSystem', 'midi']) {
      expect(decidePermission(p, { requestingUrl: page }, APP_ORIGIN)).toBe(false);
    }
  });

  it('answers permission checks the same way', () => {
    expect(decidePermissionCheck('media', APP_ORIGIN, 'video', APP_ORIGIN)).toBe(true);
    expect(decidePermissionCheck('media', APP_ORIGIN, 'audio', APP_ORIGIN)).toBe(false);
    expect(decidePermissionCheck('media', 'https://evil.example', 'video', APP_ORIGIN)).toBe(false);
    expect(decidePermissionCheck('geolocation', APP_ORIGIN, undefined, APP_ORIGIN)).toBe(false);
  });
});

describe('navigation and new windows', () => {
  function fakeContents() {
    const contents = new EventEmitter() as EventEmitter & { setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void; openHandler?: (d: { url: string }) => { action: string } };
    contents.setWindowOpenHandler = (h) => (contents.openHandler = h);
    return contents;
  }
  const navigate = (contents: EventEmitter, event: string, url: string) => {
    let prevented = false;
    contents.emit(event, { preventDefault: () => (prevented = true) }, url);
    return prevented;
  };

  it('denies navigation away from the app, redirects, webviews and window.open', () => {
    const contents = fakeContents();
    hardenWebContents(contents as never, APP_ORIGIN);
    expect(navigate(contents, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate(contents, 'will-redirect', 'http://127.0.0.1:9/')).toBe(true);
    expect(navigate(contents, 'will-navigate', `${APP_ORIGIN}/index.html`)).toBe(false);
    expect(navigate(contents, 'will-attach-webview', 'x')).toBe(true);
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: `${APP_ORIGIN}/index.html` })).toEqual({ action: 'deny' });
  });
});
