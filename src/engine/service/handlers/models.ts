import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../errors';
import { importOnnxModel } from '../../models/import';
import { writeModel } from '../../onnx/write';
import { convertTfjsFile } from '../../tfjs/convert';
import { describeModel } from '../../models/info';
import { loadModel } from '../../models/loaded';
import { findModel, listModels, type ModelEntry } from '../../models/registry';
import type { ModelSummary } from '../../../shared/index';
import type { CallHandler } from '../types';

export function summariseModel(entry: ModelEntry): ModelSummary {
  const m = entry.manifest;
  return {
    name: m.name,
    title: m.title,
    origin: entry.origin,
    task: m.task,
    format: m.source.kind,
    head: m.head.kind,
    width: m.input.width,
    height: m.input.height,
    resize: m.input.resize,
    license: m.license,
    description: m.description,
  };
}

export const listModelsHandler: CallHandler<'listModels'> = async () => ({ models: listModels().map(summariseModel) });

export const describeModelHandler: CallHandler<'describeModel'> = async ({ model }) => {
  const loaded = await loadModel(model);
  return { ...describeModel(loaded), ...(loaded.labels ? { labelNames: [...loaded.labels] } : {}) };
};

/** A TF.js graph model (model.json + weight shards, as uploaded) converted to ONNX bytes beside them. */
async function convertUploadedTfjs(staging: string, files: { name: string; bytes: Uint8Array }[]): Promise<string> {
  const json = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (json.length !== 1) throw new UserError(`a TF.js import takes one model.json and its weight shards (got ${files.map((f) => f.name).join(', ')})`);
  for (const f of files) writeFileSync(join(staging, f.name), f.bytes);
  const { model } = await convertTfjsFile(join(staging, json[0].name));
  const onnxPath = join(staging, `${json[0].name.replace(/\.json$/i, '')}.onnx`);
  writeFileSync(onnxPath, writeModel(model));
  return onnxPath;
}

export const importModelHandler: CallHandler<'importModel'> = async (params) => {
  // importOnnxModel copies from a path; the bytes came over the wire, so stage them in a temp dir.
  const staging = mkdtempSync(join(tmpdir(), 'patchlab-import-'));
  try {
    let path: string;
    if (params.format === 'tfjs') {
      path = await convertUploadedTfjs(staging, params.files);
    } else {
      const onnx = params.files.filter((f) => f.name.toLowerCase().endsWith('.onnx'));
      if (onnx.length !== 1) throw new UserError(`an ONNX import takes exactly one .onnx file and its external data files (got ${params.files.map((f) => f.name).join(', ')})`);
      // The other files are the model's external data; the reader finds them beside it and nowhere else.
      for (const f of params.files) writeFileSync(join(staging, f.name), f.bytes);
      path = join(staging, onnx[0].name);
    }
    const p = params.head;
    // A detector without a decoder is left to the import's guess from the output shapes.
    const head = p.kind === 'detector' ? (p.decoder ? { kind: 'detector' as const, decoder: p.decoder, outputs: {}, options: {} } : undefined) : p.kind === 'embedding' ? { ...p, extras: {} } : p;
    const manifest = await importOnnxModel(path, { name: params.name, head, input: params.input, labels: params.labels, force: params.force });
    const entry = findModel(manifest.name);
    if (!entry) throw new Error(`imported model '${manifest.name}' is not in the registry`);
    return { model: summariseModel(entry) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
};
