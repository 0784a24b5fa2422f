import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic';
import type { OptimizerState } from './optimizer';

/** Where a training run stands: the next (epoch, batch), the parameters and the optimiser state. */
export interface TrainCheckpoint {
  epoch: number;
  batch: number;
  step: number;
  elapsedMs: number;
  values: Map<string, Float32Array>;
  optimizer: OptimizerState;
}

const MAGIC = 'PLTRAIN1\n';

/** One file, written atomically: a JSON header line naming each array, then the arrays' bytes. */
export function writeTrainCheckpoint(path: string, ck: TrainCheckpoint): void {
  const arrays: [string, Float32Array][] = [
    ...[...ck.values].map(([k, v]): [string, Float32Array] => [`p:${k}`, v]),
    ...[...ck.optimizer.m].map(([k, v]): [string, Float32Array] => [`m:${k}`, v]),
    ...[...ck.optimizer.v].map(([k, v]): [string, Float32Array] => [`v:${k}`, v]),
  ];
  const header = JSON.stringify({ epoch: ck.epoch, batch: ck.batch, step: ck.step, elapsedMs: ck.elapsedMs, t: ck.optimizer.t, arrays: arrays.map(([k, v]) => [k, v.length]) });
  const head = Buffer.from(`${MAGIC}${header}\n`);
  const body = Buffer.alloc(arrays.reduce((n, [, a]) => n + a.byteLength, 0));
  let offset = 0;
  for (const [, a] of arrays) {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(body, offset);
    offset += a.byteLength;
  }
  writeFileAtomic(path, Buffer.concat([head, body]));
}

export function readTrainCheckpoint(path: string): TrainCheckpoint | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  if (bytes.subarray(0, MAGIC.length).toString() !== MAGIC) throw new Error(`${path}: not a patchlab training checkpoint`);
  const end = bytes.indexOf(0x0a, MAGIC.length);
  const header = JSON.parse(bytes.subarray(MAGIC.length, end).toString()) as { epoch: number; batch: number; step: number; elapsedMs: number; t: number; arrays: [string, number][] };
  const ck: TrainCheckpoint = { epoch: header.epoch, batch: header.batch, step: header.step, elapsedMs: header.elapsedMs, values: new Map(), optimizer: { t: header.t, m: new Map(), v: new Map() } };
  let offset = end + 1;
  for (const [key, length] of header.arrays) {
    const copy = new Float32Array(length);
    Buffer.from(copy.buffer).set(bytes.subarray(offset, offset + length * 4));
    offset += length * 4;
    const [kind, name] = [key.slice(0, 1), key.slice(2)];
    (kind === 'p' ? ck.values : kind === 'm' ? ck.optimizer.m : ck.optimizer.v).set(name, copy);
  }
  return ck;
}
