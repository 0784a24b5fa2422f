import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire } from '../../src/shared/wire';

describe('WebSocket wire codec', () => {
  it('sends messages without binary parts as JSON text', () => {
    const message = { type: 'call', id: 3, method: 'listModels', params: { a: [1, 'x', null] } };
    const encoded = encodeWire(message);
    expect(typeof encoded).toBe('string');
    expect(decodeWire(encoded)).toEqual(message);
  });

  it('moves Uint8Array leaves as raw bytes and restores them in place', () => {
    const frame = new Uint8Array(50_000).map((_, i) => i % 251);
    const preview = new Uint8Array([1, 2, 3]);
    const message = { type: 'call', id: 1, params: { image: frame, nested: [{ preview }], name: 'f' } };
    const encoded = encodeWire(message);
    expect(encoded).toBeInstanceOf(Uint8Array);
    // Raw, not base64: the message is barely larger than its payload.
    expect((encoded as Uint8Array).byteLength).toBeLessThan(frame.byteLength + preview.byteLength + 200);
    const decoded = decodeWire(encoded) as typeof message;
    expect(decoded.params.image).toEqual(frame);
    expect(decoded.params.nested[0].preview).toEqual(preview);
    expect(decoded.params.name).toBe('f');
  });

  it('rejects truncated binary messages', () => {
    const encoded = encodeWire({ bytes: new Uint8Array(100) }) as Uint8Array;
    expect(() => decodeWire(encoded.subarray(0, 2))).toThrow(/truncated/);
    expect(() => decodeWire(encoded.subarray(0, encoded.byteLength - 10))).toThrow(/truncated binary part/);
  });
});
