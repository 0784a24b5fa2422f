import type { BrowserWindowConstructorOptions, WebContents } from 'electron';

/** Where the built renderer is served from inside the app: a privileged custom scheme, so the page has a real origin. */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://patchlab`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** The page's policy: our own scripts only, no network beyond our origin, camera frames as blobs. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 680,
    title: 'patchlab',
    backgroundColor: '#f4f5f7',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    // Custom schemes report an opaque origin ("null"); rebuild it from scheme and host.
    return parsed.origin !== 'null' ? parsed.origin : `${parsed.protocol}//${parsed.host}`;
  } catch {
    return undefined;
  }
}

export function isAppUrl(url: string | undefined, appOrigin: string): boolean {
  return originOf(url) === appOrigin;
}

interface PermissionDetails {
  requestingUrl?: string;
  mediaTypes?: ('video' | 'audio')[];
}

/**
 * The only permission the lab ever needs is the camera (video, no microphone) for its own page.
 * Without a handler Electron grants every request, so everything else is refused here.
 */
export function decidePermission(permission: string, details: PermissionDetails, appOrigin: string): boolean {
  if (permission !== 'media') return false;
  if (!isAppUrl(details.requestingUrl, appOrigin)) return false;
  const types = details.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'video');
}

/** Permission checks (synchronous queries such as enumerating cameras) follow the same rule. */
export function decidePermissionCheck(permission: string, requestingOrigin: string, mediaType: string | undefined, appOrigin: string): boolean {
  return permission === 'media' && originOf(requestingOrigin) === appOrigin && (mediaType === undefined || mediaType === 'video' || mediaType === 'unknown');
}

/** No navigation away from the app, no new windows, no webviews: the page is the whole app. */
export function hardenWebContents(contents: WebContents, appOrigin: string): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appOrigin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appOrigin)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
