import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The folder holding patchlab's package.json, found by walking up from this file so it works
 * from src/ under tsx, from a vite bundle in out/, and from an installed package.
 */
export function packageRoot(): string {
  if (root) return root;
  if (process.env.PATCHLAB_ROOT) return (root = resolve(process.env.PATCHLAB_ROOT));
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'patchlab') return (root = dir);
      } catch {
        // An unreadable package.json is not ours; keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot locate the patchlab package root (set PATCHLAB_ROOT)');
    dir = parent;
  }
}

/** The user's data folder: imported models, palettes, runs. */
export function patchlabHome(): string {
  return resolve(process.env.PATCHLAB_HOME ?? join(homedir(), '.patchlab'));
}

/** Regenerable files (converted models): safe to delete. */
export function cacheDir(): string {
  if (process.env.PATCHLAB_CACHE) return resolve(process.env.PATCHLAB_CACHE);
  const xdg = process.env.XDG_CACHE_HOME;
  return resolve(xdg ? join(xdg, 'patchlab') : join(homedir(), '.cache', 'patchlab'));
}

export function builtinModelsDir(): string {
  return join(packageRoot(), 'models');
}

export function userModelsDir(): string {
  return join(patchlabHome(), 'models');
}

/**
 * Shipped data: scenes, palettes, masks, controls. In a packaged app the package root is inside
 * app.asar, which native readers (sharp decodes images by path) cannot open; electron-builder
 * unpacks resources/ beside it (asarUnpack in electron-builder.json), so they are read from there.
 */
export function resourcesDir(): string {
  return join(outsideAsar(packageRoot()), 'resources');
}

/** The same path in the unpacked copy electron-builder writes next to an asar archive (unchanged outside one). */
export function outsideAsar(path: string): string {
  return path.replace(/\.asar(?=$|[\\/])/, '.asar.unpacked');
}
