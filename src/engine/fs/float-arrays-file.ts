import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic';

/**
 * The checkpoint container (attack runs and training runs): a magic line, one JSON header line
 * that also lists the arrays' lengths, then the float32 arrays' bytes. Written atomically.
 */
export function writeFloatArraysFile(path: string, magic: string, header: Record<string, unknown>, arrays: readonly Float32Array[]): void {
  const head = Buffer.from(`${magic}${JSON.stringify({ ...header, lengths: arrays.map((a) => a.length) })}\n`);
  const body = Buffer.alloc(arrays.reduce((n, a) => n + a.byteLength, 0));
  let offset = 0;
  for (const a of arrays) {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(body, offset);
    offset += a.byteLength;
  }
  writeFileAtomic(path, Buffer.concat([head, body]));
}

/** Reads what writeFloatArraysFile wrote; undefined when there is no file; `what` names the kind in errors. */
export function readFloatArraysFile<H>(path: string, magic: string, what: string): { header: H; arrays: Float32Array[] } | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  if (bytes.subarray(0, magic.length).toString() !== magic) throw new Error(`${path}: not a ${what}`);
  const end = bytes.indexOf(0x0a, magic.length);
  const header = JSON.parse(bytes.subarray(magic.length, end).toString()) as H & { lengths: number[] };
  let offset = end + 1;
  const arrays = header.lengths.map((n) => {
    const copy = new Float32Array(n);
    new Uint8Array(copy.buffer).set(bytes.subarray(offset, offset + n * 4));
    offset += n * 4;
    return copy;
  });
  if (offset !== bytes.length) throw new Error(`${path}: checkpoint is truncated or has trailing bytes`);
  return { header, arrays };
}
