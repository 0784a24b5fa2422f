// Opening the lab in the default browser for `npm start` (browser mode).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The line `patchlab serve` prints once it listens. */
export const SERVING_LINE = /^patchlab: serving at (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)$/m;

/** Open a browser unless asked not to (`--no-open`), or in CI and tests, where nobody would look at it. */
export function shouldOpen(argv, env) {
  if (argv.includes('--no-open')) return false;
  return !(env.CI || env.VITEST || env.PATCHLAB_NO_OPEN);
}

/**
 * A local page that forwards the browser to the lab. Handing the browser the URL itself would put
 * the token on a command line, which every user of the machine can read (ps, /proc); this file
 * sits in a folder only we can enter, so only the token's owner can read it (as Jupyter does).
 */
export function writeRedirectPage(url, dir = mkdtempSync(join(tmpdir(), 'patchlab-open-'))) {
  const file = join(dir, 'open-lab.html');
  const safe = url.replace(/[^A-Za-z0-9:/._#=-]/g, '');
  writeFileSync(file, `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${safe}"><title>patchlab</title><p><a href="${safe}">Open the patchlab lab</a></p>\n`, { mode: 0o600 });
  return file;
}
