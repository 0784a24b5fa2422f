import sharp from 'sharp';

/**
 * Difference hash (Krawetz): the picture in grey at (side+1) x side, one bit per horizontal
 * neighbour pair (is the left pixel brighter). side 16 = 256 bits: finer than the usual 64
 * so frames of a fixed camera whose people moved stay apart (test/engine/scenes/dhash.test.ts).
 */
export async function dHash(input: string | Uint8Array, side = 16): Promise<string> {
  const grey = await sharp(input).rotate().greyscale().resize(side + 1, side, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer();
  return dHashOfGrey(grey, side);
}

/** The hash of a (side+1) x side 8-bit grey raster. */
export function dHashOfGrey(grey: Uint8Array, side: number): string {
  const bits: number[] = [];
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) bits.push(grey[y * (side + 1) + x] > grey[y * (side + 1) + x + 1] ? 1 : 0);
  let hex = '';
  for (let i = 0; i < bits.length; i += 4) hex += ((bits[i] << 3) | (bits[i + 1] << 2) | (bits[i + 2] << 1) | bits[i + 3]).toString(16);
  return hex;
}

const POP = Array.from({ length: 16 }, (_, n) => (n & 1) + ((n >> 1) & 1) + ((n >> 2) & 1) + ((n >> 3) & 1));

/** Bits that differ between two hashes of the same length. */
export function hamming(a: string, b: string): number {
  if (a.length !== b.length) return Math.max(a.length, b.length) * 4;
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POP[parseInt(a[i], 16) ^ parseInt(b[i], 16)];
  return d;
}

/**
 * Two pictures whose 256-bit hashes differ in at most this many bits are the same picture
 * (re-encoded, rescaled, slightly brightened). Chosen in dhash.test.ts: such copies of the
 * fixture photos land within 12 bits; different photos and video frames 2 s apart, beyond 20.
 */
export const NEAR_DUPLICATE_BITS = 16;
