import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../errors';
import type { ModelEntry } from './registry';

export interface ProgressReporter {
  (message: string, fraction?: number): void;
}

/** Absolute path of the file a manifest's source points at. */
export function sourcePath(entry: ModelEntry): string {
  const file = entry.manifest.source.file;
  return isAbsolute(file) ? file : join(entry.dir, file);
}

/** The ONNX bytes for a model entry, converting other formats on first use. */
export async function loadModelBytes(entry: ModelEntry, _progress?: ProgressReporter): Promise<Uint8Array> {
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
      throw new UserError(`${source.file}: TF.js graph models are not supported yet`);
  }
}
