import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../engine/paths';
import { EngineSupervisor } from '../engine/service/supervisor';
import { spawnProcessChannel, type ProcessChannel } from './engine-process';
import { startServer, type RunningServer } from './server';

export function rendererDir(): string {
  return join(packageRoot(), 'out', 'renderer');
}

export function rendererBuilt(): boolean {
  return existsSync(join(rendererDir(), 'index.html'));
}

export interface ServedLab {
  server: RunningServer;
  engine: EngineSupervisor;
  /** The engine's current process id: another process than this one (see engine-process.ts). */
  enginePid(): number | undefined;
}

/** Browser mode: the engine in a supervised child process, the contract over HTTP + WebSocket on 127.0.0.1. */
export async function serveLab(port: number): Promise<ServedLab> {
  let current: ProcessChannel | undefined;
  const engine = new EngineSupervisor(() => (current = spawnProcessChannel()));
  try {
    const server = await startServer({ engine, rendererDir: rendererDir(), port });
    return { server, engine, enginePid: () => current?.pid };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
