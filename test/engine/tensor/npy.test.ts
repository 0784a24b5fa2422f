import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy, readNpy } from '../../../src/engine/tensor/npy';
import { modelFixture } from '../../helpers/paths';

describe('.npy', () => {
  it('reads arrays numpy wrote', () => {
    const t = readNpy(modelFixture('input224.npy'));
    expect(t.type).toBe('float32');
    expect(t.dims).toEqual([2, 3, 224, 224]);
    // The first values numpy printed for this fixture.
    expect(t.data[0]).toBeCloseTo(0.53492254, 7);
    expect(t.data[1]).toBeCloseTo(0.19880319, 7);
  });

  it('round-trips float32, int64 and scalar shapes', () => {
    const f = { type: 'float32' as const, dims: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) };
    const back = parseNpy(encodeNpy(f));
    expect(back.dims).toEqual([2, 3]);
    expect(Array.from(back.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6.5]);
    const i = { type: 'int64' as const, dims: [3], data: BigInt64Array.from([1n, -2n, 3n]) };
    expect(Array.from(parseNpy(encodeNpy(i)).data as BigInt64Array)).toEqual([1n, -2n, 3n]);
    const s = parseNpy(encodeNpy({ type: 'float32', dims: [], data: Float32Array.from([7]) }));
    expect(s.dims).toEqual([]);
  });

  it('pads the header to a multiple of 64 bytes as the format requires', () => {
    const bytes = encodeNpy({ type: 'float32', dims: [4], data: new Float32Array(4) });
    const headerLength = bytes[8] | (bytes[9] << 8);
    expect((10 + headerLength) % 64).toBe(0);
  });

  it('names the problem with bad files', () => {
    expect(() => parseNpy(new Uint8Array(20), 'x.npy')).toThrow('x.npy: not a .npy file');
    expect(() => readNpy('/nonexistent/y.npy')).toThrow('/nonexistent/y.npy: no such file');
  });
});
