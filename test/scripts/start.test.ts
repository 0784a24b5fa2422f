import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without types
import { SERVING_LINE, shouldOpen, writeRedirectPage } from '../../scripts/open-lab.mjs';
import { ROOT } from '../helpers/paths';

describe('npm start in browser mode', () => {
  it('opens the browser unless --no-open, CI or a test run', () => {
    expect(shouldOpen([], {})).toBe(true);
    expect(shouldOpen(['--port', '8080'], {})).toBe(true);
    expect(shouldOpen(['--no-open'], {})).toBe(false);
    expect(shouldOpen([], { CI: 'true' })).toBe(false);
    expect(shouldOpen([], { VITEST: 'true' })).toBe(false);
  });

  it('finds the URL serve prints and hands the browser a private redirect page, not the token on a command line', () => {
    const url = 'http://127.0.0.1:4567/#token=abc_DEF-123';
    expect(SERVING_LINE.exec(`patchlab: serving at ${url}\n`)?.[1]).toBe(url);
    const page = writeRedirectPage(url);
    expect(page).not.toContain('abc_DEF');
    expect(readFileSync(page, 'utf8')).toContain(`content="0;url=${url}"`);
    expect(statSync(page).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(page)).mode & 0o077).toBe(0);
  });
});

describe('.npmrc', () => {
  it('keeps onnxruntime-node from downloading CUDA libraries, with no unknown-config warning from npm', () => {
    const probe = "console.log(require('./node_modules/onnxruntime-node/script/install-utils.js').parseInstallFlag())";
    const env = { ...process.env };
    delete env.ONNXRUNTIME_NODE_INSTALL;
    delete env.NODE_OPTIONS;
    const result = spawnSync('npm', ['exec', '--', 'node', '-e', probe], { cwd: ROOT, encoding: 'utf8', env });
    expect(result.stdout.trim()).toBe('false');
    expect(result.stderr).not.toMatch(/Unknown (project|user|env) config/);
  });
});
