/** The window operations the handover needs (a BrowserWindow in the app). */
export interface FocusableWindow {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  focus(): void;
}

interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance', listener: () => void): unknown;
}

/**
 * One lab per user: two instances would run two engines over one PATCHLAB_HOME (both resuming the
 * same runs). A second start quits at once; the first brings its window forward instead.
 */
export function claimSingleInstance(app: SingleInstanceApp, window: () => FocusableWindow | undefined): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const w = window();
    if (!w || w.isDestroyed()) return;
    if (w.isMinimized()) w.restore();
    w.focus();
  });
  return true;
}
