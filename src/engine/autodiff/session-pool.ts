import { createSession, type Session, type SessionOptions } from '../onnx/session';

interface Entry {
  session: Promise<Session>;
  users: number;
}

const pool = new Map<string, Entry>();

/** A shared onnxruntime session and the way to give it back. */
export interface Lease {
  session: Promise<Session>;
  release(): Promise<void>;
}

/**
 * Sessions shared by every oracle asking for the same graph and options, released when the last
 * one is disposed. (The onnx session cache evicts by age, which could free a session an
 * optimisation loop still holds; gradient sessions are large, so they are counted instead.)
 */
export function leaseSession(key: string, bytes: () => Promise<Uint8Array>, options: SessionOptions): Lease {
  let entry = pool.get(key);
  if (!entry) {
    const session = bytes().then((b) => createSession(b, options));
    entry = { session, users: 0 };
    pool.set(key, entry);
    session.catch(() => pool.delete(key));
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    session: held.session,
    async release() {
      if (released) return;
      released = true;
      held.users--;
      if (held.users > 0 || pool.get(key) !== held) return;
      pool.delete(key);
      await held.session.then((s) => s.release()).catch(() => undefined);
    },
  };
}

export function pooledSessionCount(): number {
  return pool.size;
}
