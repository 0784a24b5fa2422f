import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import { writeModel } from '../onnx/write';
import { cacheDir, packageRoot } from '../paths';
import { readTfjsModel } from '../tfjs/artifacts';
import { CONVERTER_VERSION, convertTfjs, type ConvertOptions } from '../tfjs/convert';
import type { ModelEntry } from './registry';

type TfjsSource = Extract<ModelEntry['manifest']['source'], { kind: 'tfjs' }>;

/** The model.json a tfjs source points at: relative to the manifest, or inside an npm package. */
export function tfjsSourcePath(entry: ModelEntry): string {
  const source = entry.manifest.source as TfjsSource;
  if (isAbsolute(source.file)) return source.file;
  if (!source.package) return join(entry.dir, source.file);
  const require = createRequire(join(packageRoot(), 'package.json'));
  // Look the package folder up the way Node does, without going through its `exports` map.
  for (const dir of require.resolve.paths(source.package) ?? []) {
    const candidate = join(dir, source.package);
    if (existsSync(join(candidate, 'package.json'))) return join(candidate, source.file);
  }
  throw new UserError(`${entry.manifest.name}: npm package ${source.package} is not installed (run npm install)`);
}

function conversionOptions(source: TfjsSource): ConvertOptions {
  return {
    ...(source.outputs ? { outputs: source.outputs } : {}),
    ...(source.inputs ? { inputs: source.inputs } : {}),
    ...(source.rgbToGray ? { rgbToGray: source.rgbToGray } : {}),
    ...(source.freeBatch ? { freeBatch: true } : {}),
    // The converter's NHWC layout keeps TF's own dimension order, which here is already NCHW.
    ...(source.channelsFirst ? { inputLayout: 'NHWC' as const } : {}),
  };
}

/**
 * ONNX bytes for a TF.js graph model, converted on first use and cached by the hash of the
 * model files, the conversion options and the converter version, so an updated package or
 * converter never serves a stale graph.
 */
export async function tfjsModelBytes(entry: ModelEntry, progress?: (message: string) => void): Promise<Uint8Array> {
  const path = tfjsSourcePath(entry);
  const artifacts = readTfjsModel(path);
  const options = conversionOptions(entry.manifest.source as TfjsSource);
  const hash = createHash('sha256').update(`patchlab-tfjs-${CONVERTER_VERSION}\n${JSON.stringify(options)}\n`);
  for (const bytes of artifacts.sources) hash.update(bytes);
  const cached = join(cacheDir(), 'tfjs', `${entry.manifest.name}-${hash.digest('hex').slice(0, 24)}.onnx`);
  if (existsSync(cached)) return readFileSync(cached);
  progress?.(`converting ${entry.manifest.name} from TF.js to ONNX (first use; cached in ${join(cacheDir(), 'tfjs')})`);
  const { model } = await convertTfjs(artifacts, options);
  const bytes = writeModel(model);
  writeFileAtomic(cached, bytes);
  return bytes;
}
