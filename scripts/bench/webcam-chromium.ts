/**
 * The Webcam screen's own readouts in Chromium: `patchlab serve` + Debian's Chromium with a fake
 * camera playing group2.jpg at 30 frames per second (a camera's rate), the model picked on the
 * screen, the readout sampled once a second after a warm-up.
 */
import { openLabInChromium } from '../../test/e2e/harness';

export interface WebcamMeasurement {
  /** The FPS readout, once a second. */
  fps: number[];
  /** The whole `benchmark` readout at the same moments (round trip, engine, grab). */
  readouts: string[];
  /** Self time per page function over 5 s while frames stream (`profile`), slowest first. */
  pageProfile?: { ms: number; where: string }[];
}

export async function measureWebcamInChromium(options: { model: string; seconds: number; warmup: number; profile?: boolean }): Promise<WebcamMeasurement> {
  const lab = await openLabInChromium('patchlab-bench-webcam-', { cameraSeconds: 4, cameraRate: 30 });
  try {
    const { page } = lab;
    await page.getByTestId('nav-webcam').click();
    await page.getByTestId('model-select').selectOption(options.model);
    await page.getByTestId('predictions').locator('li').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(options.warmup * 1000);
    const fps: number[] = [];
    const readouts: string[] = [];
    for (let i = 0; i < options.seconds; i++) {
      await page.waitForTimeout(1000);
      fps.push(Number(await page.getByTestId('fps').textContent()));
      readouts.push((await page.getByTestId('benchmark').textContent())?.replace(/\s+/g, ' ').trim() ?? '');
    }
    if (!options.profile) return { fps, readouts };
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
    const pageProfile = [...byName].sort((a, b) => b[1] - a[1]).map(([where, us]) => ({ ms: us / 1000, where }));
    return { fps, readouts, pageProfile };
  } finally {
    await lab.close();
  }
}
