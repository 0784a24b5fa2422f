import { join } from 'node:path';
import { app, BrowserWindow } from 'electron';

// The full shell (security policy, engine utilityProcess, IPC) lands with the desktop issue;
// this keeps `npm run build` honest from the first commit.
function createWindow(): void {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  void window.loadFile(join(__dirname, '../renderer/index.html'));
}

void app.whenReady().then(createWindow);
