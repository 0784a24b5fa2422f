import { Worker } from 'node:worker_threads';
import { firstLine } from '../errors';
import type { CallMessage } from '../../shared/index';
import type { EngineChannel } from './supervisor';

/**
 * Starts the engine in a worker thread. From TypeScript sources (tsx, vitest) the worker
 * registers tsx itself first, because workers do not inherit the parent's module hooks.
 */
export function spawnWorkerChannel(env: NodeJS.ProcessEnv = process.env): EngineChannel {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  const worker = fromSource
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true, env })
    : new Worker(entry, { env });
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
