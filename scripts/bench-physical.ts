/**
 * Physical-attack benchmarks (npm run bench:physical): the EOT compositor's forward+backward
 * for a batch, and — when the gradient engine and a model are available — the model's
 * forward+backward at the same batch, and whole optimisation steps. Prints a Markdown table.
 *
 *   npx tsx scripts/bench-physical.ts [--model centernet] [--batch 8] [--repeats 5] [--threads N]
 */
import { parseArgs } from 'node:util';
import { EotSchema, sampleView } from '../src/engine/render/eot';
import { Compositor, type SceneSample } from '../src/engine/render/compositor';
import { createBatchRenderer, renderThreads } from '../src/engine/render/renderer';
import { rectQuad } from '../src/shared/homography';
import { Rng } from '../src/engine/random';
import { makePlane } from '../src/engine/render/texture';
import { floatTensor } from '../src/engine/tensor/tensor';
import { closeSharedSessionWorkers } from '../src/engine/onnx/session-workers/pool';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    batch: { type: 'string', default: '8' },
    repeats: { type: 'string', default: '5' },
    // Render worker threads for the parallel rows (default: PATCHLAB_RENDER_THREADS, else one per core).
    threads: { type: 'string' },
    size: { type: 'string', default: '512' },
    resolution: { type: 'string', default: '256' },
    // Fetching the heatmap as the attack did in round 1 keeps all 80 classes (no narrowing).
    'fetch-heatmap': { type: 'boolean', default: false },
  },
});
const B = Number(values.batch);
const repeats = Number(values.repeats);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall and process CPU milliseconds (CPU time counts all threads, so it means something under load). */
async function time(fn: () => Promise<unknown> | unknown): Promise<{ wall: number; cpu: number }> {
  await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const fmt = (t: { wall: number; cpu: number }): string[] => [t.wall.toFixed(0), t.cpu.toFixed(0)];

async function main(): Promise<void> {
  let width = Number(values.size);
  let height = width;
  let oracle: import('../src/engine/autodiff/oracle').GradientOracle | undefined;
  let modelNote = 'no model (--model M needs the gradient engine)';
  if (values.model) {
    const { loadModel } = await import('../src/engine/models/loaded');
    const { targetFromModel } = await import('../src/engine/attacks/physical/model-target');
    const target = targetFromModel(await loadModel(values.model));
    width = target.width;
    height = target.height;
    const heatmap = target.outputs.heatmap;
    const loss = heatmap ? { kind: 'max' as const, output: heatmap, channels: [0, 1] as [number, number], axis: await target.classAxis(heatmap) } : { kind: 'margin' as const };
    try {
      oracle = await target.createOracle(loss, heatmap && values['fetch-heatmap'] ? [heatmap] : []);
      modelNote = `${target.name} ${width}x${height}`;
    } catch (error) {
      modelNote = `${target.name}: ${(error as Error).message}`;
    }
  }
  const rng = new Rng(3);
  const scene = makePlane(width, height, 3);
  for (let i = 0; i < scene.data.length; i++) scene.data[i] = rng.next();
  const res = Number(values.resolution);
  const mask = makePlane(res, res, 1, new Float32Array(res * res).fill(1));
  const texture = makePlane(res, res, 3);
  for (let i = 0; i < texture.data.length; i++) texture.data[i] = rng.next();
  const eot = EotSchema.parse({});
  // Three persons per scene with adversarial-yolo sized patches (~0.2 of a 150x300 box diagonal).
  const side = 0.2 * Math.hypot(0.3 * width, 0.6 * height);
  const quads = [0.2, 0.5, 0.8].map((fx) => rectQuad(fx * width - side / 2, 0.4 * height - side / 2, fx * width + side / 2, 0.4 * height + side / 2));
  const samples: SceneSample[] = Array.from({ length: B }, (_, i) => ({ scene, quads, view: sampleView(eot, rng), noiseSeed: i }));
  const compositor = new Compositor(mask);
  const grad = floatTensor([B, 3, height, width]);
  for (let i = 0; i < grad.data.length; i++) grad.data[i] = rng.uniform(-1, 1);
  let batch = compositor.render(texture, samples);
  const fwd = await time(() => {
    batch = compositor.render(texture, samples);
  });
  const bwd = await time(() => compositor.backward(batch, grad));
  const both = { wall: fwd.wall + bwd.wall, cpu: fwd.cpu + bwd.cpu };
  const threads = values.threads ? Number(values.threads) : renderThreads();
  const parallel = createBatchRenderer(mask, undefined, { threads });
  let parallelBatch = await parallel.render(texture, samples);
  const pfwd = await time(async () => {
    parallelBatch = await parallel.render(texture, samples);
  });
  const pbwd = await time(() => parallel.backward(parallelBatch, grad));
  const pboth = { wall: pfwd.wall + pbwd.wall, cpu: pfwd.cpu + pbwd.cpu };
  const rows: string[][] = [
    ['compositor forward', `${B}x${width}x${height}, 3 patches/scene, ${res}² texture, default EOT`, ...fmt(fwd)],
    ['compositor backward', 'same', ...fmt(bwd)],
    ['compositor forward+backward', 'same', ...fmt(both)],
    [`parallel compositor forward (${parallel.threads} render threads)`, 'same', ...fmt(pfwd)],
    [`parallel compositor backward (${parallel.threads} render threads)`, 'same', ...fmt(pbwd)],
    [`parallel compositor forward+backward (${parallel.threads} render threads)`, 'same', ...fmt(pboth)],
  ];
  const ratio = (a: { wall: number; cpu: number }, b: { wall: number; cpu: number }): string[] => [`${((a.wall / b.wall) * 100).toFixed(1)}%`, `${((a.cpu / b.cpu) * 100).toFixed(1)}%`];
  if (oracle) {
    const o = oracle;
    const model = await time(() => o.gradient(batch.pixels, {}));
    rows.push([`model forward+backward (${modelNote}${values['fetch-heatmap'] ? ', heatmap fetched' : ''})`, `batch ${B}`, ...fmt(model)]);
    rows.push(['compositor / model', '', ...ratio(both, model)]);
    rows.push([`parallel compositor / model (${parallel.threads} render threads)`, '', ...ratio(pboth, model)]);
    // The core of an optimisation step (NPS, TV and Adam add ~90 ms on a 256² patch).
    const single = await time(async () => {
      const b = compositor.render(texture, samples);
      compositor.backward(b, (await o.gradient(b.pixels, {})).grad);
    });
    const step = await time(async () => {
      const b = await parallel.render(texture, samples);
      await parallel.backward(b, (await o.gradient(b.pixels, {})).grad);
    });
    rows.push(['step core: render + model + backward, single-threaded compositor', `batch ${B}`, ...fmt(single)]);
    rows.push([`step core: render + model + backward, ${parallel.threads} render threads`, `batch ${B}`, ...fmt(step)]);
    await o.dispose();
  } else rows.push(['model forward+backward', modelNote, '-', '-']);
  await parallel.close();
  console.log('| what | setting | median wall ms | median CPU ms |');
  console.log('| --- | --- | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

await main();
// Session workers run from sources keep the process alive; the script is done.
await closeSharedSessionWorkers();
