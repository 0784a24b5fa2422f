import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { imageFixture, ROOT, tempDir } from '../helpers/paths';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-results', 'e2e');

/**
 * A fake camera: Chromium plays a .y4m file as the webcam. ffmpeg writes `C420jpeg` for
 * yuv420p; Chromium's reader wants plain `C420`, so the header is rewritten.
 */
export function makeFakeCamera(photo: string, out: string, seconds = 2, rate = 10): string {
  const result = spawnSync('ffmpeg', ['-y', '-loglevel', 'error', '-loop', '1', '-i', photo, '-t', String(seconds), '-r', String(rate), '-vf', 'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2', '-pix_fmt', 'yuv420p', out], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
  const bytes = readFileSync(out);
  const headerEnd = bytes.indexOf(0x0a);
  const header = bytes.subarray(0, headerEnd).toString('latin1').replace(/ C420\w*/, ' C420');
  writeFileSync(out, Buffer.concat([Buffer.from(header, 'latin1'), bytes.subarray(headerEnd)]));
  return out;
}

export interface Serving {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Runs `patchlab serve --port 0` as a user would and waits for its one line. */
export function startServe(env: Record<string, string>): Promise<Serving> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/patchlab.js'), 'serve', '--port', '0'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`patchlab serve did not start: ${err}`)), 60_000);
    child.stderr?.on('data', (d) => (err += d));
    child.stdout?.on('data', (d) => {
      out += d;
      const match = /^patchlab: serving at (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/m.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1],
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`patchlab serve exited with ${code}: ${err}`));
    });
  });
}

export function launchChromium(camera: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${camera}`,
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Builds the app (`npm run build`) when the renderer has not been built yet. */
export function ensureBuilt(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/run does)`);
  if (existsSync(join(ROOT, 'out/renderer/index.html'))) return;
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
}

/** The lab at 1280x800 once the engine is ready; uncaught page errors land in `errors`. */
export async function openLab(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.getByText('engine ready').waitFor();
  return page;
}

export interface LabInChromium {
  home: string;
  page: Page;
  /** Uncaught errors in the page, for a test to assert there were none. */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * The lab end to end: a fresh PATCHLAB_HOME (filled by `prepare` first), `patchlab serve` on it,
 * Chromium with a fake camera playing group2.jpg for `cameraSeconds`, and the lab open and ready.
 */
export async function openLabInChromium(homePrefix: string, options: { prepare?: (home: string) => Promise<void>; cameraSeconds?: number; cameraRate?: number } = {}): Promise<LabInChromium> {
  ensureBuilt();
  const home = tempDir(homePrefix);
  await options.prepare?.(home);
  const camera = makeFakeCamera(imageFixture('group2.jpg'), join(home, 'camera.y4m'), options.cameraSeconds, options.cameraRate);
  const serving = await startServe({ PATCHLAB_HOME: home });
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await serving.stop();
  };
  try {
    browser = await launchChromium(camera);
    const pageErrors: string[] = [];
    const page = await openLab(browser, serving.url, pageErrors);
    return { home, page, pageErrors, close };
  } catch (error) {
    await close();
    throw error;
  }
}
