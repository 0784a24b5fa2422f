/**
 * The Webcam screen's own FPS readout in Chromium: `patchlab serve` + Debian's Chromium with a
 * fake camera playing group2.jpg at 30 frames per second (a camera's rate), the model picked on
 * the screen, the readout sampled once a second after a warm-up. Prints one Markdown row.
 * `npm run bench` measures the same (scripts/bench/webcam-chromium.ts) as one of its goals.
 *
 *   npx tsx scripts/bench-webcam-chromium.ts [--model centernet] [--seconds 15] [--warmup 5]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { measureWebcamInChromium } from './bench/webcam-chromium';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'centernet' }, seconds: { type: 'string', default: '15' }, warmup: { type: 'string', default: '5' } } });
const { fps, readouts, pageProfile } = await measureWebcamInChromium({ model: values.model!, seconds: Number(values.seconds), warmup: Number(values.warmup), profile: Boolean(process.env.BENCH_PROFILE) });
if (process.env.BENCH_VERBOSE) console.log(readouts.join('\n'));
if (pageProfile) for (const p of pageProfile.slice(0, 15)) console.log(`${p.ms.toFixed(0).padStart(6)} ms  ${p.where}`);
const sorted = [...fps].sort((a, b) => a - b);
console.log('| model | camera | FPS readout (median) | min–max | samples |');
console.log('| --- | --- | ---: | --- | ---: |');
console.log(`| ${values.model} | fake, 640x480 at 30 fps | ${sorted[sorted.length >> 1].toFixed(1)} | ${sorted[0].toFixed(1)}–${sorted[sorted.length - 1].toFixed(1)} | ${fps.length} |`);
console.log(`(load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
