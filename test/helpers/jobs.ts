import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createEngineService, type EngineService } from '../../src/engine/service';
import type { EngineEvent, JobInfo } from '../../src/shared/index';
import { imageFixture, tempDir } from './paths';

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

/** Waits until a job is done, failed or cancelled, and returns how it ended. */
export async function jobEnded(events: readonly EngineEvent[], id: string): Promise<JobInfo> {
  await until(() => ['done', 'failed', 'cancelled'].includes(lastJob(events, id)?.state ?? ''));
  return lastJob(events, id) as JobInfo;
}

/**
 * An engine service over a fresh PATCHLAB_HOME for one describe block: `prepare` fills the home
 * (models, scenes, runs) before the service starts; every event is collected in `events`.
 * Read `service` and `home` inside tests and hooks (they are set in beforeAll).
 */
export function serviceInFreshHome(prefix: string, prepare: (home: string) => Promise<void> | void): ServiceHome {
  const ctx = { events: [] as EngineEvent[] } as ServiceHome;
  const previous = process.env.PATCHLAB_HOME;
  beforeAll(async () => {
    ctx.home = tempDir(prefix);
    process.env.PATCHLAB_HOME = ctx.home;
    await prepare(ctx.home);
    ctx.service = createEngineService();
    ctx.service.onEvent((e) => ctx.events.push(e));
  });
  afterAll(() => {
    ctx.service?.dispose();
    process.env.PATCHLAB_HOME = previous;
  });
  return ctx;
}

export interface ServiceHome {
  service: EngineService;
  home: string;
  readonly events: EngineEvent[];
}

/** The scene set `pets` (dog.jpg, kite.jpg) in a PATCHLAB_HOME. */
export function addPetScenes(home: string): void {
  const scenes = join(home, 'scenes', 'pets');
  mkdirSync(scenes, { recursive: true });
  for (const f of ['dog.jpg', 'kite.jpg']) copyFileSync(imageFixture(f), join(scenes, f));
}
