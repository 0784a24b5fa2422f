import type { HostTensor } from '../../tensor/tensor';

/** Messages to a session worker. A graph is sent once per worker and then named by its key. */
export type SessionRequest =
  | { kind: 'load'; key: string; bytes: Uint8Array; threads: number; label: string }
  | { kind: 'run'; key: string; feeds: Record<string, HostTensor>; fetch: string[] }
  | { kind: 'release'; key: string };

export interface SessionReply {
  call: number;
  error?: string;
  outputs?: Record<string, HostTensor>;
}

/** The buffers of tensors, to move rather than copy across threads. */
export function buffersOf(tensors: Record<string, HostTensor>): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const t of Object.values(tensors)) {
    const buffer = t.data.buffer;
    if (buffer instanceof ArrayBuffer) seen.add(buffer);
  }
  return [...seen];
}
