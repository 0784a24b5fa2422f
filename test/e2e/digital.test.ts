/// <reference lib="dom" />
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFixture } from '../helpers/paths';
import { openLabInChromium, screenshot, type LabInChromium } from './harness';

// End-to-end: the Digital screen in Debian's Chromium against `patchlab serve`, attacking the
// zoo's emotion classifier (64x64, 7 classes) on two face crops uploaded through the screen.
const LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];
const FACES = ['group1-face.jpg', 'group3-face.jpg'];

describe('the Digital screen in Chromium (browser mode)', () => {
  let lab: LabInChromium | undefined;
  let home: string;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    lab = await openLabInChromium('patchlab-e2e-digital-', { cameraSeconds: 1 });
    ({ home, page, pageErrors } = lab);
  }, 120_000);

  afterAll(() => lab?.close());

  it('runs FGSM on two uploaded images and shows each clean/adversarial pair, the predictions and the summary', async () => {
    await page.getByTestId('nav-digital').click();
    const screen = page.getByTestId('screen-digital');
    await screen.getByTestId('digital-model').selectOption('emotion');
    await screen.getByTestId('digital-attack').selectOption('fgsm');
    await screen.getByTestId('digital-upload').setInputFiles(FACES.map((f) => imageFixture(join('faces', f))));
    await screen.getByText("added 2 image(s) from scene set 'uploads'").waitFor();
    await expect(screen.getByTestId('digital-chosen').textContent()).resolves.toMatch(/^2 images chosen/);
    expect(await screen.getByRole('button', { name: FACES[0] }).getAttribute('aria-pressed')).toBe('true');
    // The target field offers the model's classes; left empty the attack is untargeted.
    await expect.poll(() => screen.locator('#digital-labels option').count()).toBe(LABELS.length);
    await screen.getByLabel('Epsilon /255').fill('8');
    await screen.getByTestId('start-digital').click();

    const results = screen.getByTestId('digital-results').getByTestId('digital-result');
    await expect.poll(() => results.count(), { timeout: 180_000 }).toBe(2);
    await expect(screen.getByTestId('digital-state').textContent()).resolves.toBe('done');
    const summary = screen.getByTestId('digital-summary');
    await summary.getByRole('rowheader', { name: 'Success rate' }).waitFor();
    expect(await summary.locator('caption').textContent()).toMatch(/fgsm on emotion/);
    for (const [i, image] of FACES.entries()) {
      const card = results.nth(i);
      for (const view of ['clean', 'perturbation x10', 'adversarial']) {
        const img = card.getByRole('img', { name: `${image}, ${view}` });
        await img.waitFor();
        await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      }
      const facts = (await card.locator('dd').allTextContents()).slice(0, 2);
      for (const fact of facts) expect(LABELS).toContain(fact.replace(/ [\d.]+%$/, ''));
    }
    // The run folder is what `patchlab attack fgsm --out` writes.
    const runs = readdirSync(join(home, 'runs')).filter((r) => r.startsWith('digital-fgsm-emotion-'));
    expect(runs).toHaveLength(1);
    expect(readdirSync(join(home, 'runs', runs[0])).sort()).toEqual(
      ['group1-face', 'group3-face'].flatMap((b) => [`${b}.adv.png`, `${b}.panel.png`, `${b}.perturbation.png`]).concat('results.json', 'run.json').sort(),
    );
    const written = JSON.parse(readFileSync(join(home, 'runs', runs[0], 'results.json'), 'utf8'));
    expect(written.results.map((r: { norms: { linf: number } }) => r.norms.linf).every((v: number) => v <= 8 / 255 + 1e-9)).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), results.nth(0).getByRole('link', { name: 'Save adversarial PNG' }).click()]);
    const saved = join(home, 'saved.png');
    await download.saveAs(saved);
    expect(readFileSync(saved).equals(readFileSync(join(home, 'runs', runs[0], 'group1-face.adv.png')))).toBe(true);
    // The screen shows what the file says.
    const shownRate = await summary.getByRole('row', { name: /Success rate/ }).locator('td').textContent();
    expect(shownRate).toContain(`${(written.summary.successRate * 100).toFixed(1)}% of 2`);
    await screenshot(page, 'digital-form');
    await screen.getByTestId('digital-progress').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'digital');
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it('reports model queries while a long query attack runs, and stops it', async () => {
    const screen = page.getByTestId('screen-digital');
    await screen.getByTestId('digital-attack').selectOption('square');
    await screen.getByRole('button', { name: FACES[0] }).click(); // one image: the most confident face
    await screen.getByLabel('Query budget').fill('1000000');
    await screen.getByLabel('Epsilon /255').fill('0.5');
    await screen.getByTestId('start-digital').click();
    await screen.getByText(/^attacking 1 image: \d+ model queries so far…$/).waitFor({ timeout: 60_000 });
    await screen.getByTestId('stop-digital').click();
    await expect.poll(() => screen.getByTestId('digital-state').textContent(), { timeout: 20_000 }).toBe('cancelled');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
