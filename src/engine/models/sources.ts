import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../errors';
import type { ModelEntry } from './registry';
import { tfjsModelBytes, tfjsSourcePath } from './tfjs-source';

export interface ProgressReporter {
  (message: string, fraction?: number): void;
}

/** Absolute path of the file a manifest's source points at. */
export function sourcePath(entry: ModelEntry): string {
  if (entry.manifest.source.kind === 'tfjs') return tfjsSourcePath(entry);
  const file = entry.manifest.source.file;
  return isAbsolute(file) ? file : join(entry.dir, file);
}

/** The ONNX bytes for a model entry, converting other formats on first use. */
export async function loadModelBytes(entry: ModelEntry, progress?: ProgressReporter): Promise<Uint8Array> {
  const source = entry.manifest.source;
  switch (source.kind) {
    case 'onnx': {
      const path = sourcePath(entry);
      try {
        return readFileSync(path);
      } catch {
        throw new UserError(`${path}: no such file`);
      }
    }
    case 'tfjs':
      return tfjsModelBytes(entry, progress);
  }
}
