import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPatchlabInProcess } from '../helpers/cli';
import { ROOT, imageFixture, tempDir } from '../helpers/paths';

const DIR = join(ROOT, 'test/fixtures/detectors');
const SCENES = [imageFixture('dog.jpg'), imageFixture('eagle.jpg')];

/** Each fixture family with a class its biased head reports on the sample photos. */
const FAMILIES: { model: string; head: string; class: string; bare?: boolean }[] = [
  { model: 'yolov5', head: 'yolo-v5', class: 'car' },
  { model: 'yolov8_nms', head: 'yolo-v8', class: 'person' },
  { model: 'ssd', head: 'ssd', class: 'dog' },
  // Attacked and evaluated as a bare .onnx file (no manifest, no labels: the class by index).
  { model: 'detr', head: 'detr', class: 'person', bare: true },
];

interface Prediction {
  image: string;
  width: number;
  height: number;
  detections: { label: string; score: number; box: number[] }[];
}

describe('detector imports and cuts: bad input', () => {
  const cases: [string[], RegExp][] = [
    [['models', 'import', join(DIR, 'yolov5.onnx'), '--head', 'yolo-v9'], /^patchlab: --head: 'yolo-v9' is not one of classifier, embedding, raw, centernet, blazeface, yolo-v5/],
    [['convert', join(DIR, 'detr.onnx'), '--out', join(tempDir(), 'x.onnx'), '--outputs', 'nope'], /detr\.onnx: --outputs: no tensor named 'nope' in the graph/],
    [['convert', join(DIR, 'detr.onnx'), '--out', join(tempDir(), 'x.onnx')], /detr\.onnx: --outputs is required to cut a graph without NMS/],
  ];
  for (const [args, message] of cases) {
    it(args.slice(0, 2).join(' ') + ': ' + message.source, async () => {
      const r = await runPatchlabInProcess(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }, 120_000);
  }
});

it('models import refuses a labels file that does not fit the detector head', async () => {
  process.env.PATCHLAB_HOME = tempDir();
  try {
    const r = await runPatchlabInProcess(['models', 'import', join(DIR, 'yolov5.onnx'), '--labels', join(ROOT, 'test/fixtures/models/labels10.txt')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/yolov5\.onnx: 10 labels given but the yolo-v5 head holds 3 classes$/);
  } finally {
    delete process.env.PATCHLAB_HOME;
  }
}, 120_000);

it('models import applies --min-score to the head it recognises, and refuses it where it recognises none', async () => {
  const home = tempDir();
  process.env.PATCHLAB_HOME = home;
  try {
    // Before: --min-score without --head forced an ssd head onto a YOLOv5 export.
    expect((await runPatchlabInProcess(['models', 'import', join(DIR, 'yolov5.onnx'), '--min-score', '0.6'])).code).toBe(0);
    const head = JSON.parse(readFileSync(join(home, 'models', 'yolov5', 'manifest.json'), 'utf8')).head;
    expect(head).toMatchObject({ kind: 'detector', decoder: 'yolo-v5', options: { minScore: 0.6 } });
    const r = await runPatchlabInProcess(['models', 'import', join(ROOT, 'test/fixtures/models/mobilenet_v2_w025.onnx'), '--min-score', '0.6']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--min-score apply to a detector head, and none was recognised from the outputs; name it with --head/);
  } finally {
    delete process.env.PATCHLAB_HOME;
  }
}, 120_000);

describe('detector fixtures end to end: models import, predict, attack patch, eval --annotations', () => {
  for (const f of FAMILIES) {
    it(`${f.model}: imports as ${f.head}, predicts boxes, the hide loss falls, eval reports AP beside the controls`, async () => {
      const home = tempDir();
      process.env.PATCHLAB_HOME = home;
      try {
        const imported = await runPatchlabInProcess(['models', 'import', join(DIR, `${f.model}.onnx`), '--labels', join(DIR, 'labels.txt'), '--json']);
        expect(imported.stderr).toMatch(new RegExp(`guessed head ${f.head}:`));
        if (f.model === 'yolov8_nms') expect(imported.stderr).toMatch(/cut before NonMaxSuppression .* the model now ends at/);
        expect(JSON.parse(imported.stdout).head).toMatchObject({ kind: 'detector', decoder: f.head });

        const predicted = await runPatchlabInProcess(['predict', f.model, ...SCENES, '--json']);
        expect(predicted.code).toBe(0);
        const results = JSON.parse(predicted.stdout).results as Prediction[];
        const ours = results[0].detections.filter((d) => d.label === f.class);
        expect(ours.length).toBeGreaterThan(0);

        // Ground truth: the clean detections of the class, as YOLO txt labels.
        const labels = join(home, 'labels');
        mkdirSync(labels);
        for (const r of results) {
          const lines = r.detections.filter((d) => d.label === f.class).map((d) => {
            const [x1, y1, x2, y2] = d.box;
            return `${['person', 'car', 'dog'].indexOf(f.class)} ${(x1 + x2) / 2 / r.width} ${(y1 + y2) / 2 / r.height} ${(x2 - x1) / r.width} ${(y2 - y1) / r.height}`;
          });
          writeFileSync(join(labels, r.image.split('/').pop()!.replace(/\.jpg$/, '.txt')), lines.join('\n') + '\n');
        }

        const run = join(home, 'run');
        const [model, cls] = f.bare ? [join(DIR, `${f.model}.onnx`), String(['person', 'car', 'dog'].indexOf(f.class))] : [f.model, f.class];
        const attack = await runPatchlabInProcess(['attack', 'patch', '--model', model, '--goal', 'hide', '--class', cls, '--hide-loss', 'max', '--scenes', SCENES.join(','), '--batch', '2', '--resolution', '16', '--export-size', '32', '--steps', '6', '--lr', '0.2', '--eot', 'none', '--out', run, '--json']);
        expect(attack.stderr).not.toMatch(/patchlab:/);
        expect(attack.code).toBe(0);
        const steps = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { terms: { task: number } });
        expect(steps.at(-1)!.terms.task).toBeLessThan(steps[0].terms.task);

        const ev = await runPatchlabInProcess(['eval', run, '--scenes', SCENES.join(','), '--views', '1', '--eot', 'none', '--annotations', labels, '--json']);
        expect(ev.code).toBe(0);
        const report = JSON.parse(ev.stdout);
        expect(Object.keys(report.ap.variants)).toEqual(['patch', 'noise control', 'natural control', 'clean']);
        expect(report.ap.objects).toBeGreaterThan(0);
        expect(report.ap.variants.clean.ap50).toBeGreaterThan(0.5);
        expect(existsSync(join(run, 'eval-pr.png'))).toBe(true);
      } finally {
        delete process.env.PATCHLAB_HOME;
      }
    }, 120_000);
  }
});
