import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { UserError } from '../errors';
import { builtinModelsDir, userModelsDir } from '../paths';
import { parseManifest, readManifest, type Manifest } from './manifest';

export type ModelOrigin = 'builtin' | 'user' | 'file';

/** A model patchlab knows how to load: its manifest and the folder its paths are relative to. */
export interface ModelEntry {
  manifest: Manifest;
  origin: ModelOrigin;
  /** Folder that relative paths in the manifest (source file, labels file) resolve against. */
  dir: string;
}

function builtinEntries(): ModelEntry[] {
  const dir = builtinModelsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ manifest: readManifest(join(dir, f)), origin: 'builtin' as const, dir }));
}

function userEntries(): ModelEntry[] {
  const dir = userModelsDir();
  if (!existsSync(dir)) return [];
  const entries: ModelEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    const manifestPath = join(dir, name, 'manifest.json');
    if (existsSync(manifestPath)) entries.push({ manifest: readManifest(manifestPath), origin: 'user', dir: join(dir, name) });
  }
  return entries;
}

/** Built-in models first, then the user's imports (a user model may not shadow a built-in). */
export function listModels(): ModelEntry[] {
  const builtins = builtinEntries();
  const taken = new Set(builtins.map((e) => e.manifest.name));
  return [...builtins, ...userEntries().filter((e) => !taken.has(e.manifest.name))];
}

export function findModel(name: string): ModelEntry | undefined {
  return listModels().find((e) => e.manifest.name === name);
}

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || /\.(onnx|json)$/i.test(ref);
}

/**
 * Resolves what a user typed as MODEL: a registry name, a path to an .onnx file, or a path to
 * a TF.js model.json.
 */
export function resolveModelRef(ref: string): ModelEntry {
  if (!looksLikePath(ref) || !existsSync(ref)) {
    const entry = findModel(ref);
    if (entry) return entry;
    if (!looksLikePath(ref)) {
      const known = listModels().map((e) => e.manifest.name);
      const hint = known.length > 0 ? ` (known: ${known.join(', ')})` : '';
      throw new UserError(`unknown model '${ref}'${hint}`);
    }
    throw new UserError(`${ref}: no such file`);
  }
  const path = resolve(ref);
  if (statSync(path).isDirectory()) throw new UserError(`${ref}: is a folder, not a model file`);
  const ext = extname(path).toLowerCase();
  const name = basename(path, ext).replace(/[^A-Za-z0-9._-]/g, '_') || 'model';
  if (ext === '.json') {
    return { manifest: parseManifest({ name, source: { kind: 'tfjs', file: path } }, ref), origin: 'file', dir: resolve(path, '..') };
  }
  return { manifest: parseManifest({ name, source: { kind: 'onnx', file: path } }, ref), origin: 'file', dir: resolve(path, '..') };
}
