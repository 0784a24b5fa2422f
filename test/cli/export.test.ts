import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPatchlab } from '../helpers/cli';
import { pdfInfo } from '../helpers/pdf';
import { tempDir } from '../helpers/paths';

let dir: string;

beforeAll(async () => {
  dir = tempDir();
  await sharp({ create: { width: 120, height: 120, channels: 3, background: '#2a7' } }).png().toFile(join(dir, 'small.png'));
});

function expectOneLineError(result: ReturnType<typeof runPatchlab>, pattern: RegExp): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('patchlab export pdf', () => {
  it('writes the PDF beside the PNG, says what it printed and warns about low DPI on stderr', () => {
    const result = runPatchlab(['export', 'pdf', join(dir, 'small.png'), '--size', '3in', '--copies', '3', '--paper', 'letter']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(join(dir, 'small.pdf'));
    expect(result.stdout).toMatch(/3 copies of 76\.2 x 76\.2 mm on 1 Letter page .* 120 x 120 px at 40 DPI/);
    expect(result.stderr).toMatch(/^warning: small\.png is 120 px wide: at 76\.2 mm that is 40 DPI, below 150/);
    expect(pdfInfo(join(dir, 'small.pdf')).pages[0].widthPt).toBeCloseTo(612, 1);
  });

  // Each CLI run costs seconds; the parsers and the layout's errors are tested without the CLI.
  it('answers bad input with one line naming the problem', () => {
    expectOneLineError(runPatchlab(['export', 'pdf', join(dir, 'small.png')]), /^patchlab: --size is required/);
  });
});
