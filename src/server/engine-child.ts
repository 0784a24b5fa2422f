import { createEngineService } from '../engine/service';
import { serveEngine } from '../engine/service/host';

// Entry of the engine child process of `patchlab serve`: a native crash in onnxruntime or libvips
// ends this process only; the server's supervisor restarts it.
if (!process.send) throw new Error('the engine child must be started with an IPC channel');
const send = process.send.bind(process);
serveEngine(createEngineService(), {
  send: (message) => void send(message),
  onMessage: (listener) => process.on('message', listener),
});
// The server went away (even by SIGKILL): nobody is left to answer, so stop.
process.on('disconnect', () => process.exit(0));
