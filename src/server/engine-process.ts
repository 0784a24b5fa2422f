import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CallMessage } from '../shared/index';
import type { EngineChannel } from '../engine/service/supervisor';

export interface ProcessChannel extends EngineChannel {
  /** The engine's process id (another process than the server's). */
  readonly pid: number | undefined;
}

/**
 * The engine of `patchlab serve` in a child process rather than a worker thread: a worker shares
 * the server's process, so a native crash (a segfault in onnxruntime or libvips) would take the
 * server and every open tab down with it. Messages use the structured-clone serialisation, so
 * Uint8Array payloads (images, previews) cross as bytes, as they do through a worker.
 */
export function spawnProcessChannel(env: NodeJS.ProcessEnv = process.env): ProcessChannel {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSource ? './engine-child.ts' : './engine-child.js', import.meta.url));
  const child: ChildProcess = fork(entry, [], {
    env,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Running from TypeScript sources (bin/patchlab.js, vitest): the child loads tsx first.
    execArgv: fromSource ? ['--import', import.meta.resolve('tsx/esm')] : [],
  });
  let lastError: string | undefined;
  child.on('error', (error) => (lastError = error.message));
  return {
    get pid() {
      return child.pid;
    },
    send: (message: CallMessage) => {
      // A dead child cannot take messages; the supervisor learns of the exit through onExit.
      if (child.connected) child.send(message, (error) => error && (lastError = error.message));
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code, signal) => listener({ code, reason: lastError ?? (signal ? `killed by ${signal}` : undefined) })),
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
