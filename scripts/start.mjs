#!/usr/bin/env node
// `npm start`: the desktop app where the Electron binary exists; otherwise browser mode
// (`patchlab serve`), saying why. Either way the UI is built first so it matches the sources.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVING_LINE, shouldOpen, writeRedirectPage } from './open-lab.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The Electron executable, or the reason there is none. */
function electronBinary() {
  try {
    const path = require('electron');
    return existsSync(path) ? { path } : { reason: `the Electron binary is missing (${path})` };
  } catch {
    return { reason: 'the Electron binary is not installed (electron downloads it at install time, which failed or was skipped)' };
  }
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const electron = electronBinary();
process.stderr.write('patchlab: building the app…\n');
run(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);

let child;
if (electron.path) {
  child = spawn(electron.path, [root], { cwd: root, stdio: 'inherit' });
} else {
  const args = process.argv.slice(2);
  const open = shouldOpen(args, process.env);
  process.stderr.write(`patchlab: ${electron.reason};\n  starting browser mode instead${open ? ' in your default browser' : ': open the URL below in Chromium, Chrome, Edge or Firefox'}.\n`);
  child = spawn(process.execPath, [join(root, 'bin/patchlab.js'), 'serve', ...args.filter((a) => a !== '--no-open')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let seen = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (!open || seen === null) return;
    seen += chunk;
    const match = SERVING_LINE.exec(seen);
    if (!match) return;
    seen = null;
    import('open')
      .then(({ default: openInBrowser }) => openInBrowser(writeRedirectPage(match[1])))
      .catch((error) => process.stderr.write(`patchlab: could not open a browser (${error.message}); open the URL above\n`));
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
