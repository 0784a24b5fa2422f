import { MAX_MESSAGE_BYTES } from '../shared/bytes';

/**
 * What one client may cost `patchlab serve`. Each cap answers with a clear message rather than
 * letting a bad or runaway client exhaust the memory the engine needs.
 */
export const SERVER_LIMITS = {
  /**
   * The largest WebSocket message. A call's bytes sit in memory two or three times while they are
   * decoded and handed to the engine process, so a frame must stay well below what a 8 GiB laptop
   * can spare: 128 MiB holds a batch of camera photos or a 100 MB ONNX classifier (ResNet-50 is
   * 98 MB). Bigger models import from disk with `patchlab models import`, which has no such cap.
   */
  maxMessageBytes: MAX_MESSAGE_BYTES,
  /** Open WebSockets at once: one per lab tab; more is a runaway page or a local attacker. */
  maxConnections: 8,
  /** Calls one connection may have waiting for the engine (the lab's screens load thumbnails in parallel). */
  maxCallsPerConnection: 64,
  /**
   * Bytes of calls waiting for the engine, all connections together: without it, 8 connections x
   * 64 calls x 128 MiB could queue 64 GiB. 512 MiB lets a few big uploads wait behind each other.
   */
  maxPendingBytes: 512 * 1024 * 1024,
  /** Progress events are dropped for a client whose socket backlog exceeds this: a slow tab must not make the engine wait. */
  maxBacklogBytes: 4 * 1024 * 1024,
} as const;

export const mebibytes = (bytes: number): string => {
  const m = bytes / (1024 * 1024);
  return `${m < 10 ? m.toFixed(1) : Math.round(m)} MiB`;
};
