/// <reference lib="dom" />
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFixture } from '../helpers/paths';
import { openLabInChromium, screenshot, type LabInChromium } from './harness';

// End-to-end: `patchlab serve` + Debian's Chromium with a fake camera playing a group photo.
const SCREENS = ['models', 'design', 'optimise', 'evaluate', 'webcam', 'print', 'digital'] as const;
const LABELS = readFileSync(modelFixture('labels10.txt'), 'utf8').trim().split('\n');

describe('the lab in Chromium (browser mode)', () => {
  let lab: LabInChromium | undefined;
  let home: string;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    // A finished run to print: any RGBA patch works (the engine's exportPdf takes a run or a PNG).
    lab = await openLabInChromium('patchlab-e2e-home-', {
      prepare: async (dir) => {
        const run = join(dir, 'runs', 'noise-patch');
        mkdirSync(run, { recursive: true });
        const noise = Buffer.alloc(300 * 300 * 4);
        for (let i = 0; i < noise.length; i++) noise[i] = i % 4 === 3 ? 255 : (i * 2654435761) >>> 24;
        await sharp(noise, { raw: { width: 300, height: 300, channels: 4 } }).png().toFile(join(run, 'patch.png'));
        writeFileSync(join(run, 'run.json'), JSON.stringify({ kind: 'attack/patch', config: { attack: 'patch', model: 'centernet', goal: 'hide', class: 'person' } }));
      },
    });
    ({ home, page, pageErrors } = lab);
  }, 120_000);

  afterAll(() => lab?.close());

  it('opens every screen from the navigation, keyboard included', async () => {
    for (const screen of SCREENS) {
      await page.getByTestId(`nav-${screen}`).click();
      await expect(page.getByTestId(`screen-${screen}`).isVisible()).resolves.toBe(true);
    }
    // Keyboard: focus a nav entry and activate it with Enter.
    await page.getByTestId('nav-models').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('screen-models').waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('imports an ONNX model through the Models form and shows its info', async () => {
    await page.getByTestId('nav-models').click();
    await page.getByTestId('import-file').setInputFiles(modelFixture('mobilenet_v2_w025.onnx'));
    await page.getByLabel('Name', { exact: true }).fill('mnv2');
    await page.getByLabel('Labels file').setInputFiles(modelFixture('labels10.txt'));
    await page.getByTestId('import-submit').click();
    await page.getByText("imported 'mnv2'").waitFor();
    await page.getByText('10 labels').waitFor();
    expect(existsSync(join(home, 'models', 'mnv2', 'model.onnx'))).toBe(true);
    await screenshot(page, 'models');
  });

  it('shows live webcam predictions with an FPS readout, and the UI stays responsive', async () => {
    await page.getByTestId('nav-webcam').click();
    const models = await page.getByTestId('model-select').locator('option').allTextContents();
    const detector = models.some((m) => m.startsWith('centernet'));
    await page.getByTestId('model-select').selectOption(detector ? 'centernet' : 'mnv2');
    // Watch for long tasks on the page's main thread while frames stream through the engine.
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask' });
    });
    const items = page.getByTestId('predictions').locator('li');
    await items.first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(4000);
    const labels = (await items.locator('.label').allTextContents()).map((l) => l.trim());
    if (detector) expect(labels).toContain('person');
    else labels.forEach((l) => expect(LABELS).toContain(l));
    const fps = Number(await page.getByTestId('fps').textContent());
    expect(fps).toBeGreaterThan(0);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.log(`webcam: ${fps.toFixed(1)} FPS with ${detector ? 'centernet' : 'mnv2'}; long tasks: ${longTasks.length}, longest ${Math.max(0, ...longTasks).toFixed(0)} ms`);
    // The engine runs in a worker, so its work cannot block the page; what long tasks remain are
    // the page's own. On CI (alone on its machine) none may exceed 100 ms; on a shared dev
    // machine wall-clock task times stretch with the load, so only real blocking is caught there.
    expect(Math.max(0, ...longTasks)).toBeLessThan(process.env.PATCHLAB_CI ? 100 : 1000);
    await screenshot(page, 'webcam');
  });

  it('captures a webcam frame into a scene set the Design screen offers', async () => {
    await page.getByTestId('capture').click();
    await page.getByText(/scene set 'webcam' now has 1 image/).waitFor();
    expect(readdirSync(join(home, 'scenes', 'webcam'))).toHaveLength(1);
    await page.getByTestId('nav-design').click();
    await page.getByTestId('screen-design').getByLabel('Scene set').locator('option', { hasText: 'webcam (1)' }).waitFor({ state: 'attached' });
  });

  it('starts the ready demo with one click: centernet, hide person, the sample scenes', async () => {
    await page.getByTestId('nav-design').click();
    await page.getByTestId('screen-design').getByRole('img', { name: /Sampled renders/ }).waitFor();
    await page.getByRole('img', { name: 'group1.jpg' }).waitFor();
    await screenshot(page, 'design');
    await page.getByTestId('start-demo').click();
    await page.getByTestId('screen-optimise').waitFor();
    await expect.poll(async () => Number(await page.getByTestId('step').textContent()), { timeout: 180_000 }).toBeGreaterThanOrEqual(1);
    expect(await page.getByText(/^patch-hide-person-centernet-/).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('cancelled', { exact: true }).waitFor({ timeout: 120_000 });
  }, 240_000);

  it('exports a PDF from the Print screen and saves it', async () => {
    await page.getByTestId('nav-print').click();
    await page.getByTestId('screen-print').getByTestId('run-select').selectOption('noise-patch');
    await page.getByRole('img', { name: /Page 1 of 1/ }).waitFor();
    await page.getByLabel('Copies').fill('2');
    await page.getByText(/2 per page · 1 page/).waitFor();
    await page.getByTestId('export-pdf').click();
    await page.getByText(/Wrote patch.pdf \(1 page\)/).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-pdf').click()]);
    const saved = join(home, 'saved.pdf');
    await download.saveAs(saved);
    expect(readFileSync(saved).subarray(0, 5).toString()).toBe('%PDF-');
    const info = spawnSync('pdfinfo', ['-box', saved], { encoding: 'utf8' }).stdout;
    expect(info).toMatch(/Pages:\s+1\b/);
    expect(info).toMatch(/TrimBox/);
    await screenshot(page, 'print');
  });

  it('runs a short optimisation: progress arrives, pause and resume work, the page stays responsive', async () => {
    await page.getByTestId('nav-design').click();
    const design = page.getByTestId('screen-design');
    await design.getByLabel('Model').selectOption('mnv2');
    await design.getByLabel('Goal').selectOption('untargeted');
    await design.getByLabel('Class', { exact: true }).fill('');
    await design.getByLabel('Scene set').selectOption('samples');
    await design.getByLabel('Steps').fill('8');
    await design.getByLabel('Batch (EOT samples/step)').fill('2');
    await design.getByLabel('Patch resolution (px)').fill('32');
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask' });
    });
    await page.getByTestId('start-optimise').click();
    await page.getByTestId('screen-optimise').waitFor();
    const step = page.getByTestId('step');
    await expect.poll(async () => Number(await step.textContent()), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(async () => Number(await step.textContent()), { timeout: 120_000 }).toBe(8);
    await page.getByText('done', { exact: true }).waitFor({ timeout: 60_000 });
    await page.getByRole('img', { name: 'The patch as it stands' }).waitFor();
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.log(`optimisation: long tasks ${longTasks.length}, longest ${Math.max(0, ...longTasks).toFixed(0)} ms`);
    expect(Math.max(0, ...longTasks)).toBeLessThan(process.env.PATCHLAB_CI ? 100 : 1000);
    await screenshot(page, 'optimise');
  }, 240_000);

  it('evaluates the run on the held-out scenes and draws the robustness plots', async () => {
    await page.getByTestId('nav-evaluate').click();
    const runs = await page.getByTestId('run-select').locator('option').allTextContents();
    const run = runs.find((r) => r.startsWith('patch-untargeted-mnv2'));
    expect(run).toBeDefined();
    await page.getByTestId('run-select').selectOption({ label: run as string });
    await page.getByTestId('start-evaluate').click();
    await page.getByRole('img', { name: /vs rotation/ }).waitFor({ timeout: 180_000 });
    for (const variant of ['patch', 'noise control', 'natural control']) await page.getByRole('cell', { name: variant, exact: true }).waitFor();
    await screenshot(page, 'evaluate');
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
