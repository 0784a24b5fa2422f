import type { Method } from './methods';

/** A call's answer as it crosses Electron IPC: errors become values so their user/engine flag survives. */
export type BridgeReply = { ok: true; value: unknown } | { ok: false; error: { message: string; user: boolean } };

/** What the preload exposes as `window.patchlab`: one function per contract call, plus events. */
export type PreloadBridge = { [M in Method]: (params: unknown) => Promise<BridgeReply> } & {
  onEvent(listener: (event: unknown) => void): () => void;
};
