import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelProtoType } from '../../src/engine/onnx/proto';
import { modelFixture } from '../helpers/paths';

/* eslint-disable @typescript-eslint/no-explicit-any -- protobuf messages are untyped */

/**
 * tinynet.onnx with its first initializer moved to external data at `location` (what a hostile
 * or careless exporter can write). When `data` is given it is written to `dir/data.bin`.
 */
export function onnxWithExternalData(dir: string, location: string, options: { writeData?: boolean; name?: string } = {}): string {
  const type = modelProtoType();
  const proto: any = type.decode(readFileSync(modelFixture('tinynet.onnx')));
  const tensor = proto.graph.initializer.find((t: any) => t.raw_data && t.raw_data.byteLength > 0);
  const raw: Uint8Array = tensor.raw_data;
  if (options.writeData) writeFileSync(join(dir, 'data.bin'), raw);
  tensor.raw_data = new Uint8Array();
  tensor.data_location = 1;
  tensor.external_data = [
    { key: 'location', value: location },
    { key: 'offset', value: '0' },
    { key: 'length', value: String(raw.byteLength) },
  ];
  const file = join(dir, options.name ?? 'model.onnx');
  writeFileSync(file, type.encode(proto).finish());
  return file;
}

/** A TF.js graph-model manifest (one Const weight) whose shard path is `shard`. */
export function tfjsWithShard(dir: string, shard: string): string {
  const json = {
    format: 'graph-model',
    modelTopology: { node: [{ name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '1' }] } } } } }] },
    weightsManifest: [{ paths: [shard], weights: [{ name: 'w', shape: [1], dtype: 'float32' }] }],
  };
  const file = join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

export function makeFifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}
