import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseResult, type JobInfo } from '../../../src/shared/index';
import { jobEnded, serviceInFreshHome } from '../../helpers/jobs';
import { imageFixture } from '../../helpers/paths';

describe('print and calibration through the service', () => {
  const ctx = serviceInFreshHome('patchlab-print-jobs-', async (home) => {
    const run = join(home, 'runs', 'hide-person');
    mkdirSync(run, { recursive: true });
    await sharp({ create: { width: 600, height: 600, channels: 4, background: '#c04020ff' } }).png().toFile(join(run, 'patch.png'));
    writeFileSync(join(run, 'run.json'), JSON.stringify({ kind: 'attack/patch', config: { attack: 'patch', model: 'centernet', goal: 'hide', class: 'person' } }));
  });

  it('previews the layout the exported PDF has, and exports it into the run as a job', async () => {
    const params = { run: 'hide-person', sizeMm: 80, copies: 3, bleedMm: 3, marks: true, cutContour: true };
    const preview = parseResult('printPreview', await ctx.service.call('printPreview', params));
    expect(preview).toMatchObject({ pageWidth: 210, pageHeight: 297, widthMm: 80, heightMm: 80, bleedMm: 3 });
    expect(preview.dpi).toBeCloseTo(600 / (80 / 25.4), 6);
    expect(preview.copies).toHaveLength(Math.min(3, preview.perPage));
    for (const c of preview.copies) expect(c.x).toBeGreaterThanOrEqual(10);

    const { job } = (await ctx.service.call('startJob', { kind: 'exportPdf', params })) as { job: JobInfo };
    const done = await jobEnded(ctx.events, job.id);
    expect(done).toMatchObject({ state: 'done', run: 'hide-person', result: { file: 'patch.pdf', pages: preview.pages, perPage: preview.perPage, cutPaths: 1 } });
    const pdf = parseResult('readArtifact', await ctx.service.call('readArtifact', { run: 'hide-person', file: 'patch.pdf' }));
    expect(pdf.mime).toBe('application/pdf');
    expect(new TextDecoder().decode(pdf.bytes.subarray(0, 5))).toBe('%PDF-');
    const info = execFileSync('pdfinfo', ['-box', join(ctx.home, 'runs', 'hide-person', 'patch.pdf')], { encoding: 'utf8' });
    expect(info).toMatch(new RegExp(`Pages:\\s+${preview.pages}\\b`));
    expect(info).toMatch(/TrimBox/);
    await expect(ctx.service.call('printPreview', { run: 'hide-person', sizeMm: 400 })).rejects.toThrow(/more than the .* free on A4/);
  });

  it('gives the calibration chart as PDF bytes', async () => {
    const chart = parseResult('exportChart', await ctx.service.call('exportChart', {}));
    expect(new TextDecoder().decode(chart.bytes.subarray(0, 5))).toBe('%PDF-');
    expect(chart.swatches).toBeGreaterThan(50);
  });

  it('reports a photo without the chart as a failed calibration, saving nothing', async () => {
    const photo = await sharp(imageFixture('dog.jpg')).jpeg().toBuffer();
    const { job } = (await ctx.service.call('startJob', { kind: 'calibrate', params: { image: photo, name: 'office' } })) as { job: JobInfo };
    const done = await jobEnded(ctx.events, job.id);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/marker|chart/i);
    expect(existsSync(join(ctx.home, 'palettes', 'office.json'))).toBe(false);
  });
});
