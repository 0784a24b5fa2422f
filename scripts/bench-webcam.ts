// Webcam path benchmark: frames as the Webcam screen sends them (raw RGBA at the model's
// input scale, one in flight) through `patchlab serve`'s WebSocket to the engine worker.
// Usage: npm run bench:webcam [-- --model centernet --frames 60 --inflight 2]
// --inflight 2 is what the Webcam screen does (two loops, so one frame crosses the socket while
// the engine runs the other); FPS is then completed frames over wall time, as its readout shows.
import { join } from 'node:path';
import sharp from 'sharp';
import WebSocket from 'ws';
import { importOnnxModel } from '../src/engine/models/import';
import { findModel } from '../src/engine/models/registry';
import { serveLab } from '../src/server/serve';
import { decodeWire, encodeWire, type PredictFrameResult } from '../src/shared/index';
import { imageFixture, modelFixture, tempDir } from '../test/helpers/paths';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const frames = Number(flag('frames', '60'));
const inflight = Number(flag('inflight', '2'));
let model = flag('model', findModel('centernet') ? 'centernet' : 'fixture');

if (model === 'fixture') {
  process.env.PATCHLAB_HOME = tempDir('patchlab-bench-');
  await importOnnxModel(modelFixture('mobilenet_v2_w025.onnx'), { name: 'mobilenet_v2_w025' });
  model = 'mobilenet_v2_w025';
}
// The Webcam screen's frame size (src/renderer/src/lib/webcam.ts frameSize): exactly the model's
// size when it stretches its input, else a 4:3 camera frame at its scale.
const input = findModel(model)?.manifest.input;
const exact = input?.resize === 'stretch' && input.width && input.height;
const width = exact ? (input.width as number) : Math.max(input?.width ?? 512, input?.height ?? 512);
const height = exact ? (input.height as number) : Math.round((width * 3) / 4);
const pixels = await sharp(imageFixture('group2.jpg')).resize(width, height, { fit: 'fill' }).ensureAlpha().raw().toBuffer();
const image = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);

const { server, engine } = await serveLab(0);
const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { headers: { 'x-patchlab-token': server.token } });
await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
let nextId = 1;
function predict(): Promise<PredictFrameResult> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer, binary: boolean) => {
      const message = decodeWire(binary ? new Uint8Array(data) : data.toString()) as { type: string; id: number; ok: boolean; value: PredictFrameResult; error?: { message: string } };
      if (message.type !== 'result' || message.id !== id) return;
      ws.off('message', onMessage);
      if (message.ok) resolve(message.value);
      else reject(new Error(message.error?.message));
    };
    ws.on('message', onMessage);
    ws.send(encodeWire({ type: 'call', id, method: 'predictFrame', params: { model, image, raw: { width, height, channels: 4 }, top: 5 } }));
  });
}

// Warm-up: model load (and conversion on first use) and the first session run.
const warmStart = performance.now();
await predict();
const warmMs = performance.now() - warmStart;
const trips: number[] = [];
const infer: number[] = [];
let started = 0;
async function loop(): Promise<void> {
  while (started < frames) {
    started++;
    const t = performance.now();
    const result = await predict();
    trips.push(performance.now() - t);
    infer.push(result.timing.inferMs);
  }
}
const start = performance.now();
await Promise.all(Array.from({ length: inflight }, loop));
const seconds = (performance.now() - start) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
ws.close();
await server.close();
await engine.close();

const rows = [
  ['model', 'frame', 'frames', 'in flight', 'FPS', 'round trip (median)', 'engine inference (median)', 'round trip − engine (transport, queueing)', 'first frame'],
  [model, `${width}x${height} RGBA`, String(frames), String(inflight), (frames / seconds).toFixed(1), `${median(trips).toFixed(0)} ms`, `${median(infer).toFixed(0)} ms`, `${(median(trips) - median(infer)).toFixed(0)} ms`, `${warmMs.toFixed(0)} ms`],
];
console.log(rows.map((r) => `| ${r.join(' | ')} |`).join('\n').replace(/\n/, `\n|${' --- |'.repeat(rows[0].length)}\n`));
console.log(`(load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}; ${join('scripts', 'bench-webcam.ts')})`);
