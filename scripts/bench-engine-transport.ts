// What moving the engine of `patchlab serve` from a worker thread to a child process costs per
// webcam frame: predictFrame round trip minus the engine's own inference time, through the
// supervisor only (no WebSocket), worker and child alternated so machine load hits both alike.
// Usage: npx tsx scripts/bench-engine-transport.ts [--frames 40 --rounds 2]
import { loadavg } from 'node:os';
import sharp from 'sharp';
import { importOnnxModel } from '../src/engine/models/import';
import { EngineSupervisor, type EngineChannel } from '../src/engine/service/supervisor';
import { spawnWorkerChannel } from '../src/engine/service/worker-channel';
import { spawnProcessChannel } from '../src/server/engine-process';
import type { PredictFrameResult } from '../src/shared/index';
import { imageFixture, modelFixture, tempDir } from '../test/helpers/paths';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const frames = Number(flag('frames', '40'));
const rounds = Number(flag('rounds', '2'));

process.env.PATCHLAB_HOME = tempDir('patchlab-bench-');
await importOnnxModel(modelFixture('mobilenet_v2_w025.onnx'), { name: 'net' });
const [width, height] = [512, 384];
const pixels = await sharp(imageFixture('group2.jpg')).resize(width, height, { fit: 'fill' }).ensureAlpha().raw().toBuffer();
const image = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(spawn: () => EngineChannel): Promise<{ overhead: number; infer: number }> {
  const engine = new EngineSupervisor(spawn);
  const call = () => engine.call('predictFrame', { model: 'net', image, raw: { width, height, channels: 4 }, top: 5 }) as Promise<PredictFrameResult>;
  await call();
  const overhead: number[] = [];
  const infer: number[] = [];
  for (let i = 0; i < frames; i++) {
    const t = performance.now();
    const result = await call();
    overhead.push(performance.now() - t - result.timing.inferMs);
    infer.push(result.timing.inferMs);
  }
  await engine.close();
  return { overhead: median(overhead), infer: median(infer) };
}

console.log('| round | engine in | round trip − inference (median) | inference (median) |\n| --- | --- | --- | --- |');
for (let r = 1; r <= rounds; r++) {
  for (const [name, spawn] of [['worker thread', () => spawnWorkerChannel()], ['child process', () => spawnProcessChannel()]] as const) {
    const m = await measure(spawn);
    console.log(`| ${r} | ${name} | ${m.overhead.toFixed(1)} ms | ${m.infer.toFixed(0)} ms |`);
  }
}
console.log(`(${frames} frames of ${width}x${height} RGBA per cell; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
