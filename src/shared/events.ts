import { z } from 'zod';
import { JobInfo, Progress } from './jobs';

export const EngineEvent = z.discriminatedUnion('type', [
  /** A job changed state (queued, running, paused, done, failed, cancelled). */
  z.object({ type: z.literal('job'), job: JobInfo }),
  /** A running job reported progress; sent often, so it carries only the job id. */
  z.object({ type: z.literal('progress'), id: z.string(), progress: Progress }),
  /** The engine process itself: crashed (and being restarted, unless the message says otherwise), or ready again. */
  z.object({ type: z.literal('engine'), state: z.enum(['ready', 'crashed']), message: z.string().optional() }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;
