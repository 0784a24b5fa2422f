import { CallMessage, type ServerMessage } from '../../shared/index';
import { errorMessage, isUserFacing, type EngineService } from '../service';

/** The two operations a process boundary offers (worker parentPort, Electron parentPort). */
export interface HostPort {
  send(message: ServerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

/**
 * Answers contract calls arriving on a port and forwards engine events to it. Malformed
 * envelopes are answered with an error when they carry an id and dropped otherwise.
 */
export function serveEngine(service: EngineService, port: HostPort): void {
  service.onEvent((event) => port.send({ type: 'event', event }));
  port.onMessage((raw) => {
    const parsed = CallMessage.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number') port.send({ type: 'result', id, ok: false, error: { message: 'malformed call', user: true } });
      return;
    }
    const { id, method, params } = parsed.data;
    service.call(method, params).then(
      (value) => port.send({ type: 'result', id, ok: true, value }),
      (error: unknown) => port.send({ type: 'result', id, ok: false, error: { message: errorMessage(error), user: isUserFacing(error) } }),
    );
  });
}
