import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on a module file. A TypeScript entry (running from sources under tsx or
 * vitest) registers tsx in the worker first, because workers do not inherit the parent's module
 * hooks; a built .js entry starts directly.
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.href.endsWith('.ts')) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`, { ...options, eval: true });
}
