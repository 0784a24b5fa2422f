import { createEngineService } from '../engine/service';
import { serveEngine } from '../engine/service/host';

// Entry of the engine utility process (bundled separately through `?modulePath`).
const port = process.parentPort;
serveEngine(createEngineService(), {
  send: (message) => port.postMessage(message),
  onMessage: (listener) => port.on('message', (event: { data: unknown }) => listener(event.data)),
});
