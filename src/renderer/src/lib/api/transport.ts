import type { Method } from '../../../../shared/methods';

/** How the renderer reaches the engine: Electron IPC through the preload, or the WebSocket of `patchlab serve`. */
export interface Transport {
  readonly kind: 'electron' | 'browser';
  call(method: Method, params: unknown): Promise<unknown>;
  /** Raw engine events; the client validates them. */
  onEvent(listener: (event: unknown) => void): () => void;
  /** Connection state changes (the WebSocket may drop and reconnect). */
  onStatus(listener: (connected: boolean) => void): () => void;
}
