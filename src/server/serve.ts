import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../engine/paths';
import { EngineSupervisor } from '../engine/service/supervisor';
import { spawnWorkerChannel } from '../engine/service/worker-channel';
import { startServer, type RunningServer } from './server';

export function rendererDir(): string {
  return join(packageRoot(), 'out', 'renderer');
}

export function rendererBuilt(): boolean {
  return existsSync(join(rendererDir(), 'index.html'));
}

/** Browser mode: the engine in a worker thread, the contract over HTTP + WebSocket on 127.0.0.1. */
export async function serveLab(port: number): Promise<{ server: RunningServer; engine: EngineSupervisor }> {
  const engine = new EngineSupervisor(() => spawnWorkerChannel());
  try {
    const server = await startServer({ engine, rendererDir: rendererDir(), port });
    return { server, engine };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
