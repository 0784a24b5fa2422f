import { parentPort } from 'node:worker_threads';
import { createSession, type Session } from '../session';
import type { SessionReply, SessionRequest } from './protocol';
import { buffersOf } from './protocol';

// Session worker: holds onnxruntime sessions (one intra-op thread each) and runs them for the
// pool. onnxruntime-node runs a session on the thread that calls it, so sessions in separate
// workers use separate cores.
if (!parentPort) throw new Error('the session worker must run in a worker thread');
const port = parentPort;

const sessions = new Map<string, Promise<Session>>();

async function answer(message: SessionRequest): Promise<Omit<SessionReply, 'call'>> {
  switch (message.kind) {
    case 'load': {
      if (!sessions.has(message.key)) {
        const session = createSession(message.bytes, { threads: message.threads, label: message.label, executionProviders: ['cpu'] });
        sessions.set(message.key, session);
        session.catch(() => sessions.delete(message.key));
      }
      await sessions.get(message.key);
      return {};
    }
    case 'run': {
      const session = sessions.get(message.key);
      if (!session) throw new Error(`no session ${message.key}`);
      return { outputs: await (await session).run(message.feeds, message.fetch.length > 0 ? message.fetch : undefined) };
    }
    case 'release': {
      const session = sessions.get(message.key);
      sessions.delete(message.key);
      await (await session)?.release();
      return {};
    }
  }
}

port.on('message', (message: SessionRequest & { call: number }) => {
  answer(message).then(
    (reply) => port.postMessage({ ...reply, call: message.call }, reply.outputs ? buffersOf(reply.outputs) : []),
    (error: unknown) => port.postMessage({ call: message.call, error: error instanceof Error ? error.message : String(error) }),
  );
});
