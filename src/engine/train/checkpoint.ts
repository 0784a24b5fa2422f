import { readFloatArraysFile, writeFloatArraysFile } from '../fs/float-arrays-file';
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

const MAGIC = 'PLTRAIN2\n';

/** One file, written atomically: a JSON header line naming each array, then the arrays' bytes. */
export function writeTrainCheckpoint(path: string, ck: TrainCheckpoint): void {
  const arrays: [string, Float32Array][] = [
    ...[...ck.values].map(([k, v]): [string, Float32Array] => [`p:${k}`, v]),
    ...[...ck.optimizer.m].map(([k, v]): [string, Float32Array] => [`m:${k}`, v]),
    ...[...ck.optimizer.v].map(([k, v]): [string, Float32Array] => [`v:${k}`, v]),
  ];
  const header = { epoch: ck.epoch, batch: ck.batch, step: ck.step, elapsedMs: ck.elapsedMs, t: ck.optimizer.t, names: arrays.map(([k]) => k) };
  writeFloatArraysFile(path, MAGIC, header, arrays.map(([, v]) => v));
}

export function readTrainCheckpoint(path: string): TrainCheckpoint | undefined {
  const file = readFloatArraysFile<{ epoch: number; batch: number; step: number; elapsedMs: number; t: number; names: string[] }>(path, MAGIC, 'patchlab training checkpoint');
  if (!file) return undefined;
  const { header, arrays } = file;
  const ck: TrainCheckpoint = { epoch: header.epoch, batch: header.batch, step: header.step, elapsedMs: header.elapsedMs, values: new Map(), optimizer: { t: header.t, m: new Map(), v: new Map() } };
  header.names.forEach((key, i) => {
    const [kind, name] = [key.slice(0, 1), key.slice(2)];
    (kind === 'p' ? ck.values : kind === 'm' ? ck.optimizer.m : ck.optimizer.v).set(name, arrays[i]);
  });
  return ck;
}
