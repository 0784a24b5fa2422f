import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
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

/** A PNG that claims `width` x `height` pixels but carries no image data: a decompression-bomb stand-in that costs nothing to make. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1))), chunk('IEND', Buffer.alloc(0))]);
}
