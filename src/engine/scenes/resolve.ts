import { join } from 'node:path';
import { UserError } from '../errors';
import { readManifest, scenesOf, setDir, SPLITS, type SceneEntry, type SceneManifest, type Split } from './manifest';

/** `set:NAME` or `set:NAME:SPLIT`, as --scenes takes it. */
export interface SetSpec {
  set: string;
  split?: Split;
}

export function parseSetSpec(spec: string): SetSpec | undefined {
  if (!spec.startsWith('set:')) return undefined;
  const [, set, split, extra] = spec.split(':');
  if (!set || extra !== undefined) throw new UserError(`--scenes: '${spec}' should be set:NAME or set:NAME:SPLIT`);
  if (split !== undefined && !(SPLITS as readonly string[]).includes(split)) throw new UserError(`--scenes: '${split}' is not a split (use ${SPLITS.join(', ')})`);
  return { set, split: split as Split | undefined };
}

export function formatSetSpec(spec: SetSpec): string {
  return `set:${spec.set}${spec.split ? `:${spec.split}` : ''}`;
}

export interface SetSelection extends SetSpec {
  manifest: SceneManifest;
  entries: SceneEntry[];
  /** Absolute paths of the selected scenes' files. */
  files: string[];
}

export function selectScenes(spec: SetSpec): SetSelection {
  const manifest = readManifest(spec.set);
  const entries = scenesOf(manifest, spec.split);
  if (entries.length === 0) throw new UserError(`scene set '${spec.set}' has no ${spec.split ?? ''} scenes`.replace('  ', ' '));
  const dir = setDir(spec.set);
  return { ...spec, manifest, entries, files: entries.map((e) => join(dir, e.file)) };
}

/** The scenes a --scenes value names, when it names a set. */
export function selectScenesOf(value: string): SetSelection | undefined {
  const spec = parseSetSpec(value);
  return spec ? selectScenes(spec) : undefined;
}
