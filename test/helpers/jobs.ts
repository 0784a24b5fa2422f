import type { EngineEvent, JobInfo } from '../../src/shared/index';

/** The last state the engine reported for a job. */
export function lastJob(events: readonly EngineEvent[], id: string): JobInfo | undefined {
  return events.filter((e): e is Extract<EngineEvent, { type: 'job' }> => e.type === 'job' && e.job.id === id).at(-1)?.job;
}

/** Polls until `check` holds; throws after `ms`. */
export async function until(check: () => boolean, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
