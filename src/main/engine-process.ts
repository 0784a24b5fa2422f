import type { UtilityProcess } from 'electron';
import type { CallMessage } from '../shared/index';
import type { EngineChannel } from '../engine/service/supervisor';

type Fork = (modulePath: string, args?: string[], options?: { serviceName?: string; stdio?: 'inherit' | 'pipe' | 'ignore' }) => UtilityProcess;

/**
 * The engine in an Electron utility process: onnxruntime's blocking run() and any native crash
 * stay out of the main process, which the supervisor uses to restart it.
 */
export function utilityChannel(fork: Fork, entry: string): EngineChannel {
  const child = fork(entry, [], { serviceName: 'patchlab engine', stdio: 'inherit' });
  return {
    send: (message: CallMessage) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code: number) => listener({ code })),
    kill: async () => {
      child.kill();
    },
  };
}
