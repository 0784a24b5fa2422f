import { BrowserWindow, app, ipcMain, protocol, session, utilityProcess } from 'electron';
import { EVENT_CHANNEL } from '../shared/index';
import { EngineSupervisor } from '../engine/service/supervisor';
import { utilityChannel } from './engine-process';
import { registerIpc } from './ipc';
import { serveAppFile } from './protocol';
import { claimSingleInstance } from './single-instance';
import { APP_ORIGIN, APP_SCHEME, APP_URL, decidePermission, decidePermissionCheck, hardenWebContents, isAppUrl, windowOptions } from './security';

export interface AppPaths {
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** The CommonJS preload (out/preload/index.cjs): sandboxed preloads cannot be ES modules. */
  preloadPath: string;
  /** The bundled engine entry for the utility process. */
  enginePath: string;
  /** electron-vite's dev server, in development only. */
  devUrl?: string;
}

/** Starts the desktop app: one instance, security policy first, then the engine, IPC and the one window. Undefined when another instance runs. */
export async function startApp(paths: AppPaths): Promise<{ window: BrowserWindow; engine: EngineSupervisor } | undefined> {
  const opened: { window?: BrowserWindow } = {};
  if (!claimSingleInstance(app, () => opened.window)) return undefined;
  await app.whenReady();
  const appOrigin = paths.devUrl ? new URL(paths.devUrl).origin : APP_ORIGIN;

  protocol.handle(APP_SCHEME, (request) => serveAppFile(paths.rendererDir, request.url));
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => callback(decidePermission(permission, details as { requestingUrl?: string; mediaTypes?: ('video' | 'audio')[] }, appOrigin)));
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => decidePermissionCheck(permission, requestingOrigin, details.mediaType, appOrigin));
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, appOrigin));

  const engine = new EngineSupervisor(() => utilityChannel(utilityProcess.fork, paths.enginePath));
  registerIpc(ipcMain, engine, (event) => isAppUrl(event.senderFrame?.url, appOrigin));

  const shown = new BrowserWindow(windowOptions(paths.preloadPath));
  opened.window = shown;
  // Crash notices, progress and job changes reach the page through one channel.
  engine.onEvent((event) => {
    if (!shown.isDestroyed()) shown.webContents.send(EVENT_CHANNEL, event);
  });
  shown.once('ready-to-show', () => shown.show());
  app.on('window-all-closed', () => {
    void engine.close().finally(() => app.quit());
  });
  await shown.loadURL(paths.devUrl ?? APP_URL);
  return { window: shown, engine };
}
