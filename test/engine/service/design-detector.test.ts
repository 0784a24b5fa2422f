import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { importModelHandler, listModelsHandler } from '../../../src/engine/service/handlers/models';
import { addScenesHandler } from '../../../src/engine/service/handlers/scenes';
import { attackJob } from '../../../src/engine/service/jobs/attack';
import type { JobContext, ServiceContext } from '../../../src/engine/service/types';
import { DEMO, toAttackParams } from '../../../src/shared/design-form';
import { parseParams, type Progress } from '../../../src/shared/index';
import { ROOT, imageFixture, tempDir } from '../../helpers/paths';

/**
 * The Models and Design screens' path for a detector the user brings: the Models screen's import
 * (an ultralytics-style YOLOv8 export with NMS inside, its head guessed), a scene set added as the
 * Scenes screen does, then the Design form's hide-person request run as the app's attack job.
 */
it('a YOLO detector imported on the Models screen is attacked from the Design form (hide person)', async () => {
  process.env.PATCHLAB_HOME = tempDir();
  const ctx = {} as ServiceContext;
  try {
    const file = join(ROOT, 'test/fixtures/detectors/yolov8_nms.onnx');
    const labels = readFileSync(join(ROOT, 'test/fixtures/detectors/labels.txt'), 'utf8').trim().split('\n');
    const imported = await importModelHandler(parseParams('importModel', { name: 'my-yolo', format: 'onnx', files: [{ name: 'yolov8_nms.onnx', bytes: readFileSync(file) }], head: { kind: 'detector' }, labels }) as never, ctx);
    expect(imported.model).toMatchObject({ name: 'my-yolo', head: 'detector' });
    expect((await listModelsHandler({}, ctx)).models.map((m) => m.name)).toContain('my-yolo');
    await addScenesHandler(parseParams('addScenes', { set: 'street', images: ['dog.jpg', 'eagle.jpg'].map((n) => ({ name: n, bytes: readFileSync(imageFixture(n)) })) }) as never, ctx);

    const form = { ...structuredClone(DEMO), model: 'my-yolo', className: 'person', scenes: 'street', steps: 3, batch: 2, resolution: 16 };
    const request = parseParams('startJob', { kind: 'attack', params: toAttackParams(form) }) as { kind: 'attack'; params: Parameters<typeof attackJob.execute>[0] };
    const reports: Progress[] = [];
    const never = new AbortController().signal;
    const job: JobContext = { signal: never, runSignal: () => never, report: (p) => reports.push(p), waitWhilePaused: async () => {}, setRun: () => {} };
    const outcome = await attackJob.execute(request.params, job);
    expect(outcome.result).toMatchObject({ status: 'done', stepsDone: 3 });
    const steps = reports.filter((r) => r.step > 0);
    expect(steps.at(-1)?.step).toBe(3);
    expect(Number.isFinite(steps.at(-1)?.loss.task)).toBe(true);
  } finally {
    delete process.env.PATCHLAB_HOME;
  }
}, 120_000);
