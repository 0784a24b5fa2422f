import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import { hasExternalData, readModel } from '../onnx/read';
import { writeModel } from '../onnx/write';
import { patchlabHome, userModelsDir } from '../paths';
import { LoadedModel } from './loaded';
import { prepareGraph } from './prepare-graph';
import { parseManifest, type Head, type InputSpec, type Manifest } from './manifest';
import { findModel, resolveModelRef } from './registry';
import { loadModelBytes } from './sources';

export interface ImportOptions {
  name?: string;
  head?: Head;
  input?: Partial<InputSpec>;
  labels?: string[];
  task?: string;
  /** Replace an imported model of the same name. */
  force?: boolean;
  /** Cut the graph at these tensors (otherwise an NMS inside is cut away automatically). */
  outputs?: string[];
  /** Decoder options (min score, anchors) for the head the import recognises when `head` is not given. */
  detectorOptions?: Record<string, unknown>;
  /** One line per thing decided for the user (the cut, the guessed head). */
  onNote?: (line: string) => void;
}

/**
 * Copies an ONNX model into $PATCHLAB_HOME/models/NAME with its manifest, after checking that
 * it loads and that the manifest fits it (input exists, size known, labels match classes).
 */
export async function importOnnxModel(file: string, options: ImportOptions = {}): Promise<Manifest> {
  const sourceEntry = resolveModelRef(file);
  if (sourceEntry.origin !== 'file' || sourceEntry.manifest.source.kind !== 'onnx') {
    throw new UserError(`${file}: expected a path to an .onnx file`);
  }
  const name = options.name ?? sourceEntry.manifest.name;
  const existing = findModel(name);
  if (existing?.origin === 'builtin') throw new UserError(`'${name}' is a built-in model; choose another --name`);
  if (existing && !options.force) throw new UserError(`a model named '${name}' is already imported; use --force to replace it or --name to rename`);

  const prepared = await prepareGraph(readModel(await loadModelBytes(sourceEntry), { label: file, baseDir: sourceEntry.dir }), file, options.head, options.outputs, options.detectorOptions);
  for (const line of prepared.notes) options.onNote?.(line);
  const head = prepared.head ?? options.head;
  if (options.labels && prepared.classes !== undefined && options.labels.length !== prepared.classes && head?.kind === 'detector') {
    throw new UserError(`${file}: ${options.labels.length} labels given but the ${head.decoder} head holds ${prepared.classes} classes`);
  }
  const manifest = parseManifest(
    {
      name,
      task: options.task ?? (head?.kind === 'detector' ? 'detection' : head?.kind === 'embedding' ? 'embedding' : 'classification'),
      origin: `imported from ${file}`,
      source: { kind: 'onnx', file: 'model.onnx' },
      input: options.input ?? {},
      ...(options.labels ? { labels: options.labels } : {}),
      head: head ?? { kind: 'classifier', activation: 'logits' },
    },
    file,
  );
  // Validate against the real graph before anything is written.
  const bytes = prepared.cut ? writeModel(prepared.model) : await loadModelBytes(sourceEntry);
  const probe = new LoadedModel({ manifest, origin: 'user', dir: sourceEntry.dir }, bytes);
  checkHeadFits(probe, file);
  // External data (read from the model's own folder only) is folded into the one file we keep,
  // so the import does not depend on files left behind, and onnxruntime gets self-contained bytes.
  const model = hasExternalData(bytes) ? writeModel(probe.ir()) : bytes;
  installModel(name, model, manifest);
  return manifest;
}

/**
 * Writes the model in a staging folder, then swaps it in with renames: whatever fails on the way
 * (a full disk, a crash), the old model of that name stays whole until the new one is complete.
 */
function installModel(name: string, model: Uint8Array, manifest: Manifest): void {
  // Staging sits in PATCHLAB_HOME (same filesystem, so renames are atomic) but outside models/, where the registry looks.
  const staging = join(patchlabHome(), '.staging');
  mkdirSync(staging, { recursive: true });
  const stamp = `${process.pid}-${Date.now()}`;
  const fresh = join(staging, `${name}.new-${stamp}`);
  const old = join(staging, `${name}.old-${stamp}`);
  const dir = join(userModelsDir(), name);
  try {
    writeFileAtomic(join(fresh, 'model.onnx'), model);
    writeFileAtomic(join(fresh, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    mkdirSync(userModelsDir(), { recursive: true });
    const replacing = existsSync(dir);
    if (replacing) renameSync(dir, old);
    try {
      renameSync(fresh, dir);
    } catch (error) {
      if (replacing) renameSync(old, dir);
      throw error;
    }
  } finally {
    rmSync(fresh, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

function checkHeadFits(model: LoadedModel, file: string): void {
  const head = model.head;
  if (head.kind !== 'classifier') return;
  const outputs = model.ir().graph.outputs;
  const output = head.output ? outputs.find((o) => o.name === head.output) : outputs[0];
  if (!output) {
    throw new UserError(`${file}: the model has no output named '${head.output}' (outputs: ${outputs.map((o) => o.name).join(', ')})`);
  }
  if (!model.labels) return;
  const classes = output.shape?.[1];
  if (typeof classes === 'number' && classes !== model.labels.length) {
    throw new UserError(`${file}: ${model.labels.length} labels given but output '${output.name}' has ${classes} classes`);
  }
}
