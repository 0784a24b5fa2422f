import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURES = join(ROOT, 'test/fixtures');
export const fixture = (...parts: string[]): string => join(FIXTURES, ...parts);
export const modelFixture = (name: string): string => fixture('models', name);
export const imageFixture = (name: string): string => fixture('images', name);

export function tempDir(prefix = 'patchlab-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
