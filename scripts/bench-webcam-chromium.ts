/**
 * The Webcam screen's own FPS readout in Chromium: `patchlab serve` + Debian's Chromium with a
 * fake camera playing group2.jpg at 30 frames per second (a camera's rate), the model picked on
 * the screen, the readout sampled once a second after a warm-up. Prints one Markdown row.
 *
 *   npx tsx scripts/bench-webcam-chromium.ts [--model centernet] [--seconds 15] [--warmup 5]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openLabInChromium } from '../test/e2e/harness';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'centernet' }, seconds: { type: 'string', default: '15' }, warmup: { type: 'string', default: '5' } } });
const lab = await openLabInChromium('patchlab-bench-webcam-', { cameraSeconds: 4, cameraRate: 30 });
try {
  const { page } = lab;
  await page.getByTestId('nav-webcam').click();
  await page.getByTestId('model-select').selectOption(values.model!);
  await page.getByTestId('predictions').locator('li').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(Number(values.warmup) * 1000);
  const samples: number[] = [];
  const readouts: string[] = [];
  for (let i = 0; i < Number(values.seconds); i++) {
    await page.waitForTimeout(1000);
    samples.push(Number(await page.getByTestId('fps').textContent()));
    readouts.push((await page.getByTestId('benchmark').textContent())?.replace(/\s+/g, ' ').trim() ?? '');
  }
  if (process.env.BENCH_VERBOSE) console.log(readouts.join('\n'));
  if (process.env.BENCH_PROFILE) {
    // Where the page's own JavaScript time goes while frames stream (self time per function).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
    await page.waitForTimeout(5000);
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] } };
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const byName = new Map<string, number>();
    for (const n of profile.nodes) {
      const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
      byName.set(key, (byName.get(key) ?? 0) + (self.get(n.id) ?? 0));
    }
    for (const [k, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  console.log('| model | camera | FPS readout (median) | min–max | samples |');
  console.log('| --- | --- | ---: | --- | ---: |');
  console.log(`| ${values.model} | fake, 640x480 at 30 fps | ${sorted[sorted.length >> 1].toFixed(1)} | ${sorted[0].toFixed(1)}–${sorted[sorted.length - 1].toFixed(1)} | ${samples.length} |`);
  console.log(`(load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
} finally {
  await lab.close();
}
