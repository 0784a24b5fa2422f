import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, protocol } from 'electron';
import enginePath from './engine-entry?modulePath';
import renderWorkerPath from '../engine/render/parallel/worker?modulePath';
import sessionWorkerPath from '../engine/onnx/session-workers/worker?modulePath';
import { startApp } from './app';
import { APP_SCHEME_PRIVILEGES } from './protocol';

const here = dirname(fileURLToPath(import.meta.url));
// The engine utility process inherits the environment and starts its render and session workers from these bundles.
process.env.PATCHLAB_RENDER_WORKER = renderWorkerPath;
process.env.PATCHLAB_SESSION_WORKER = sessionWorkerPath;
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
startApp({
  rendererDir: join(here, '../renderer'),
  preloadPath: join(here, '../preload/index.cjs'),
  enginePath,
  devUrl: app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL,
}).catch((error: unknown) => {
  console.error('patchlab: could not start', error);
  app.exit(1);
});
