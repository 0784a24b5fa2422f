import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runPatchlabInProcess } from '../helpers/cli';
import { ROOT, imageFixture, tempDir } from '../helpers/paths';

const DIR = join(ROOT, 'test/fixtures/detectors');
const SCENES = [imageFixture('dog.jpg'), imageFixture('eagle.jpg')];

interface Prediction {
  image: string;
  width: number;
  height: number;
  detections: { label: string; score: number; box: number[] }[];
}

/**
 * AP ranks every detection down to a low score, as COCO's evaluation does, not only those above
 * the head's display threshold. The ground truth is the person boxes a YOLOv8 fixture reports;
 * the same file imported again with a display threshold above half of them must still find them
 * all when ranked (clean AP@0.5 = 1), while its recall, at the display threshold, drops.
 */
it('eval --annotations: AP ranks detections below the display threshold; recall stays at it', async () => {
  const home = tempDir();
  process.env.PATCHLAB_HOME = home;
  try {
    const onnx = join(DIR, 'yolov8_nms.onnx');
    const labelsFile = join(DIR, 'labels.txt');
    expect((await runPatchlabInProcess(['models', 'import', onnx, '--labels', labelsFile])).code).toBe(0);
    const predicted = await runPatchlabInProcess(['predict', 'yolov8_nms', ...SCENES, '--json']);
    const results = JSON.parse(predicted.stdout).results as Prediction[];
    const people = results.flatMap((r) => r.detections.filter((d) => d.label === 'person'));
    expect(people.length).toBeGreaterThanOrEqual(4);
    const labels = join(home, 'labels');
    mkdirSync(labels);
    for (const r of results) {
      const lines = r.detections.filter((d) => d.label === 'person').map(({ box: [x1, y1, x2, y2] }) => `0 ${(x1 + x2) / 2 / r.width} ${(y1 + y2) / 2 / r.height} ${(x2 - x1) / r.width} ${(y2 - y1) / r.height}`);
      writeFileSync(join(labels, r.image.split('/').pop()!.replace(/\.jpg$/, '.txt')), lines.join('\n') + '\n');
    }
    // Shown only above the median person score: the rest of the truth sits below the display threshold.
    const scores = people.map((d) => d.score).sort((a, b) => a - b);
    const strict = (scores[Math.floor(scores.length / 2) - 1] + scores[Math.floor(scores.length / 2)]) / 2;
    expect((await runPatchlabInProcess(['models', 'import', onnx, '--labels', labelsFile, '--name', 'strict', '--min-score', String(strict)])).code).toBe(0);

    const run = join(home, 'run');
    const attack = await runPatchlabInProcess(['attack', 'patch', '--model', 'yolov8_nms', '--goal', 'hide', '--class', 'person', '--scenes', SCENES.join(','), '--batch', '2', '--resolution', '16', '--export-size', '32', '--steps', '1', '--eot', 'none', '--out', run]);
    expect(attack.code).toBe(0);
    const ev = await runPatchlabInProcess(['eval', run, '--model', 'strict', '--scenes', SCENES.join(','), '--views', '1', '--eot', 'none', '--annotations', labels, '--json']);
    expect(ev.code).toBe(0);
    const report = JSON.parse(ev.stdout);
    expect(report.ap.objects).toBe(people.length);
    // Cut at the display threshold, the PR curve would end at recall = shown / all (about a half) and AP@0.5 with it.
    expect(report.ap.variants.clean.ap50).toBeCloseTo(1, 6);
    expect(Math.max(...report.ap.variants.clean.curve.map((p: { recall: number }) => p.recall))).toBeCloseTo(1, 6);
    // Recall counts the people the strict head shows on the clean view: all of its own truth.
    expect(report.variants.clean.recall).toBeCloseTo(1, 6);
  } finally {
    delete process.env.PATCHLAB_HOME;
  }
}, 400_000);
