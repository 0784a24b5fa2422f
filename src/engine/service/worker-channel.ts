import { firstLine } from '../errors';
import { startWorker } from '../worker-thread';
import type { CallMessage } from '../../shared/index';
import type { EngineChannel } from './supervisor';

/** Starts the engine in a worker thread (from TypeScript sources under tsx or vitest, or built). */
export function spawnWorkerChannel(env: NodeJS.ProcessEnv = process.env): EngineChannel {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  const worker = startWorker(entry, { env });
  let lastError: string | undefined;
  worker.on('error', (error) => (lastError = firstLine(error)));
  return {
    send: (message: CallMessage) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onExit: (listener) => worker.on('exit', (code) => listener({ code, reason: lastError })),
    kill: async () => {
      await worker.terminate();
    },
  };
}
