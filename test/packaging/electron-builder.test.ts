import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { outsideAsar } from '../../src/engine/paths';
import { ROOT } from '../helpers/paths';

// electron-builder cannot package here (it downloads Electron); its own schema validates the
// configuration, and the rest checks it against what the built app loads at runtime, with the
// same glob semantics (minimatch, dot files included, a later `!pattern` excludes).
interface Platform {
  target: string[];
  files?: string[];
}
const config = JSON.parse(readFileSync(join(ROOT, 'electron-builder.json'), 'utf8')) as {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  linux: Platform;
  mac: Platform & { entitlements: string; extendInfo: Record<string, string> };
  win: Platform;
};
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };

const requireFromRoot = createRequire(join(ROOT, 'package.json'));
const { validateConfiguration } = requireFromRoot('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = requireFromRoot('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

describe('electron-builder schema', () => {
  it('accepts the configuration and rejects a misspelt key', async () => {
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
    const misspelt = { ...structuredClone(config), asarUnpak: config.asarUnpack };
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(/configuration object/);
  });
});

const matches = (path: string, pattern: string): boolean => minimatch(path, pattern, { dot: true });
/** Whether a file is packed under `patterns`: the last pattern that matches decides. */
function packed(path: string, patterns: readonly string[]): boolean {
  let included = false;
  for (const p of patterns) {
    if (p.startsWith('!') ? matches(path, p.slice(1)) : matches(path, p)) included = !p.startsWith('!');
  }
  return included;
}
const unpacked = (path: string): boolean => config.asarUnpack.some((p) => matches(path, p));

function walk(dir: string): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/'));
}

/** The app as electron-vite builds it (main, the engine utility process, the CommonJS preload, the renderer); the real out/ when built. */
function builtApp(): string[] {
  const built = walk('out');
  if (built.length > 0) return built.filter((f) => !f.endsWith('.map'));
  return [pkg.main.replace(/^\.\//, ''), 'out/main/chunks/engine-entry-0000.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/renderer/assets/index-0000.js', 'out/renderer/assets/index-0000.css'];
}

const NATIVE = /\.(node|so(\.\d+)*|dylib|dll)$/;

describe('electron-builder configuration', () => {
  it('builds the desktop targets: Linux AppImage and deb, macOS dmg, Windows NSIS', () => {
    expect(config).toMatchObject({ appId: expect.stringMatching(/^[a-z0-9.-]+$/), productName: 'patchlab', asar: true });
    expect(config.linux.target.sort()).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('packs everything the built app loads: main, engine entry, preload, renderer, package.json, resources and model manifests', () => {
    const needed = [...builtApp(), 'package.json', ...walk('resources'), ...walk('models')];
    expect(needed).toContain(pkg.main.replace(/^\.\//, ''));
    expect(needed.some((f) => /^out\/main\/chunks\/engine-entry.*\.js$/.test(f))).toBe(true);
    expect(needed.filter((f) => f.startsWith('resources/scenes/')).length).toBeGreaterThan(0);
    expect(needed.filter((f) => !packed(f, config.files))).toEqual([]);
    // Nothing from the sources, tests or docs rides along.
    for (const f of ['src/main/index.ts', 'test/e2e/lab.test.ts', 'docs/screenshots/design.png', 'README.md', 'out/main/index.js.map']) expect(packed(f, config.files)).toBe(false);
  });

  it('unpacks what native code reads by path: the resources (sharp decodes scenes by path) and every native binary of onnxruntime-node and sharp', () => {
    expect(walk('resources').filter((f) => !unpacked(f))).toEqual([]);
    const natives = [...walk('node_modules/onnxruntime-node/bin'), ...walk('node_modules/sharp'), ...walk('node_modules/@img')].filter((f) => NATIVE.test(f));
    expect(natives.some((f) => f.endsWith('onnxruntime_binding.node'))).toBe(true);
    expect(natives.some((f) => /sharp-[\w.-]+\.node$/.test(f))).toBe(true);
    expect(natives.filter((f) => !unpacked(f))).toEqual([]);
    // Packaged, the engine reads resources from the unpacked copy beside app.asar.
    expect(outsideAsar('/opt/patchlab/resources/app.asar')).toBe('/opt/patchlab/resources/app.asar.unpacked');
    expect(outsideAsar('C:\\patchlab\\resources\\app.asar')).toBe('C:\\patchlab\\resources\\app.asar.unpacked');
    expect(outsideAsar('/home/me/patchlab')).toBe('/home/me/patchlab');
  });

  it("keeps each platform's own onnxruntime binaries and drops the others'", () => {
    const binaries = walk('node_modules/onnxruntime-node/bin').filter((f) => NATIVE.test(f));
    const platforms = { linux: config.linux, darwin: config.mac, win32: config.win };
    for (const [os, platform] of Object.entries(platforms)) {
      const patterns = ['node_modules/**/*', ...(platform.files ?? [])];
      for (const f of binaries) expect([f, packed(f, patterns)]).toEqual([f, f.includes(`/${os}/`)]);
    }
  });

  it('lets production dependencies through and asks macOS for the camera', () => {
    const all = [config.files, config.linux.files ?? [], config.mac.files ?? [], config.win.files ?? []].flat();
    for (const dep of Object.keys(pkg.dependencies)) expect([dep, all.some((p) => p.startsWith('!') && matches(`node_modules/${dep}/package.json`, p.slice(1)))]).toEqual([dep, false]);
    expect(config.mac.extendInfo.NSCameraUsageDescription).toMatch(/camera/);
    expect(readFileSync(join(ROOT, config.mac.entitlements), 'utf8')).toContain('com.apple.security.device.camera');
  });
});
