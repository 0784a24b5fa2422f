/**
 * The WebSocket codec. A message without binary parts travels as JSON text; one with Uint8Array
 * leaves (frames, previews, PDFs) travels as one binary message: a 4-byte little-endian header
 * length, the JSON header with `{"$bin": i}` in place of each array, then the arrays back to back.
 * This avoids base64 (a third larger and slow to encode) on the webcam path.
 */

const BIN_KEY = '$bin';

function extract(value: unknown, blobs: Uint8Array[]): unknown {
  if (value instanceof Uint8Array) {
    blobs.push(value);
    return { [BIN_KEY]: blobs.length - 1 };
  }
  if (Array.isArray(value)) return value.map((v) => extract(v, blobs));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = extract(v, blobs);
    return out;
  }
  return value;
}

function restore(value: unknown, blobs: Uint8Array[]): unknown {
  if (Array.isArray(value)) return value.map((v) => restore(v, blobs));
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === BIN_KEY && typeof record[BIN_KEY] === 'number') {
      const blob = blobs[record[BIN_KEY]];
      if (!blob) throw new Error('wire: reference to a missing binary part');
      return blob;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) out[k] = restore(v, blobs);
    return out;
  }
  return value;
}

export function encodeWire(message: unknown): string | Uint8Array<ArrayBuffer> {
  const blobs: Uint8Array[] = [];
  const header = extract(message, blobs);
  const json = JSON.stringify({ h: header, n: blobs.map((b) => b.byteLength) });
  if (blobs.length === 0) return JSON.stringify({ h: header });
  const headerBytes = new TextEncoder().encode(json);
  const total = 4 + headerBytes.byteLength + blobs.reduce((s, b) => s + b.byteLength, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, headerBytes.byteLength, true);
  out.set(headerBytes, 4);
  let offset = 4 + headerBytes.byteLength;
  for (const b of blobs) {
    out.set(b, offset);
    offset += b.byteLength;
  }
  return out;
}

export function decodeWire(data: string | Uint8Array): unknown {
  if (typeof data === 'string') return (JSON.parse(data) as { h: unknown }).h;
  if (data.byteLength < 4) throw new Error('wire: truncated binary message');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > data.byteLength) throw new Error('wire: truncated binary header');
  const parsed = JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + headerLength))) as { h: unknown; n: unknown };
  if (!Array.isArray(parsed.n) || !parsed.n.every((n) => Number.isInteger(n) && n >= 0)) throw new Error('wire: bad binary part sizes');
  const blobs: Uint8Array[] = [];
  let offset = 4 + headerLength;
  for (const n of parsed.n as number[]) {
    if (offset + n > data.byteLength) throw new Error('wire: truncated binary part');
    // Copy so the part owns its buffer (callers may transfer or keep it past the socket frame).
    blobs.push(data.slice(offset, offset + n));
    offset += n;
  }
  return restore(parsed.h, blobs);
}
