import { parentPort } from 'node:worker_threads';
import { createEngineService } from '../service';
import { serveEngine } from './host';

// Worker-thread entry: onnxruntime's run() blocks the thread it is called on, so the engine
// lives here and the server's event loop only relays messages.
if (!parentPort) throw new Error('the engine worker must run in a worker thread');
const port = parentPort;
serveEngine(createEngineService(), {
  send: (message) => port.postMessage(message),
  onMessage: (listener) => port.on('message', listener),
});
