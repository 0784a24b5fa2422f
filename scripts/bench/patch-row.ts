/**
 * The 600-step patch goal, measured on the real engine path: `runPhysicalAttack` (what
 * `patchlab attack patch` runs) for a few steps in a scratch folder, its metrics.jsonl read back
 * and extrapolated to 600 steps.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPhysicalAttack } from '../../src/engine/attacks/physical/run';
import { packageRoot } from '../../src/engine/paths';
import { readMetricsLines } from '../../src/engine/runs/record';
import { RUN_FILES, type MetricsLine } from '../../src/engine/runs/store';
import { estimatePatchRun, type PatchEstimate } from './patch-estimate';

/** The fixed scene list: the repo's sample group photos (resources/scenes/samples). */
export const PATCH_SCENES = join(packageRoot(), 'resources', 'scenes', 'samples');

export interface PatchMeasurement extends PatchEstimate {
  scenes: string[];
  batch: number;
  warmup: number;
}

export async function measurePatchRun(options: { model: string; batch: number; warmup: number; timedSteps: number; steps: number }): Promise<PatchMeasurement> {
  const out = join(mkdtempSync(join(tmpdir(), 'patchlab-bench-patch-')), 'run');
  try {
    const t0 = performance.now();
    await runPhysicalAttack(
      { attack: 'patch', model: options.model, goal: 'hide', class: 'person', scenes: PATCH_SCENES, batch: options.batch, steps: options.warmup + options.timedSteps },
      out,
    );
    const wall = performance.now() - t0;
    const lines = readMetricsLines<MetricsLine>(join(out, RUN_FILES.metrics));
    const scenes = readdirSync(PATCH_SCENES).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
    return { ...estimatePatchRun(lines, options.warmup, wall, options.steps), scenes, batch: options.batch, warmup: options.warmup };
  } finally {
    rmSync(join(out, '..'), { recursive: true, force: true });
  }
}
