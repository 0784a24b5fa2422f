/// <reference lib="dom" />
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImageFolder } from '../fixtures/train/folder';
import { openLabInChromium, screenshot, type LabInChromium } from './harness';

// End-to-end: the Train screen in Debian's Chromium against `patchlab serve`: a small CNN trained
// on a two-class image folder through the contract, its curve drawn live, then its robustness report.
describe('the Train screen in Chromium (browser mode)', () => {
  let lab: LabInChromium | undefined;
  let home: string;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    lab = await openLabInChromium('patchlab-e2e-train-', { cameraSeconds: 1 });
    ({ home, page, pageErrors } = lab);
  }, 120_000);

  afterAll(() => lab?.close());

  it('trains on a folder, draws the curve, then evaluates the model and shows the robustness table', async () => {
    const data = await makeImageFolder(16);
    await page.getByTestId('nav-train').click();
    const screen = page.getByTestId('screen-train');
    // The form opens on the CLI's defaults.
    await expect(screen.getByTestId('train-epochs').inputValue()).resolves.toBe('5');
    await expect(screen.getByTestId('train-temperature').inputValue()).resolves.toBe('1');
    await screen.getByTestId('train-adversarial').selectOption('pgd');
    await expect(screen.getByTestId('train-eps').inputValue()).resolves.toBe('0.1');
    await screen.getByTestId('train-adversarial').selectOption('none');
    await screen.getByLabel('Data', { exact: true }).fill(data);
    await screen.getByTestId('train-epochs').fill('3');
    await screen.getByLabel('Batch', { exact: true }).fill('8');
    await screen.getByLabel('Learning rate', { exact: true }).fill('0.01');
    // The engine's capabilities arrive after 'engine ready' (slowly on a loaded machine).
    await expect.poll(() => screen.getByTestId('start-train').isEnabled(), { timeout: 120_000 }).toBe(true);
    await screenshot(page, 'train-form');
    await screen.getByTestId('start-train').click();
    await expect.poll(() => screen.getByTestId('train-step').textContent(), { timeout: 120_000 }).toBe('9');
    await expect.poll(() => screen.getByTestId('train-state').textContent(), { timeout: 120_000 }).toBe('done');
    // The curve has points: an SVG polyline per series with more than one point.
    await expect.poll(() => screen.locator('svg[aria-label="training loss"] polyline').count()).toBe(1);
    const runs = readdirSync(join(home, 'runs')).filter((r) => r.startsWith('train-cnn-standard-'));
    expect(runs).toHaveLength(1);
    expect(existsSync(join(home, 'runs', runs[0], 'model.onnx'))).toBe(true);

    // The finished run is offered for evaluation.
    await expect.poll(() => screen.getByTestId('robust-model').inputValue()).toBe(runs[0]);
    // ...on the data it was trained on (its own two classes).
    await expect(screen.getByLabel('Test data', { exact: true }).inputValue()).resolves.toBe(data);
    await screen.getByLabel('Images', { exact: true }).fill('12');
    await screen.getByLabel('eps (L∞)').last().fill('0.2');
    // Square's query budget is slow on a shared machine; the gradient attacks make the point.
    await screen.getByRole('checkbox', { name: 'square' }).uncheck();
    await screen.getByTestId('start-robust').click();
    const table = screen.getByTestId('robust-table');
    await table.waitFor({ timeout: 300_000 });
    const attacks = await table.locator('tbody tr td:first-child').allTextContents();
    expect(attacks).toEqual(['clean', 'fgsm', 'pgd-20', 'cw-linf']);
    expect(existsSync(join(home, 'runs', runs[0], 'robust', 'robust.json'))).toBe(true);
    await screen.getByTestId('robust-table').evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await screenshot(page, 'train');
    expect(pageErrors).toEqual([]);
  }, 600_000);
});
