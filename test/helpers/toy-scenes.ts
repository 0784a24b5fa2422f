import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../src/engine/random';

/**
 * Writes `count` 128x128 scenes for the toy detector: a noisy grey background with two red
 * "persons" (24x48 px) at seeded positions. At the toy's 64x64 input they are 12x24.
 */
export async function writeToyScenes(dir: string, count: number, seed = 1): Promise<string[]> {
  const files: string[] = [];
  for (let s = 0; s < count; s++) {
    const rng = new Rng(seed, s);
    const size = 128;
    const data = Buffer.alloc(size * size * 3);
    for (let i = 0; i < data.length; i++) data[i] = 110 + rng.int(40);
    for (let p = 0; p < 2; p++) {
      const x0 = 8 + p * 60 + rng.int(20);
      const y0 = 16 + rng.int(50);
      for (let y = y0; y < y0 + 48; y++) {
        for (let x = x0; x < x0 + 24; x++) {
          const i = (y * size + x) * 3;
          data[i] = 200 + rng.int(40);
          data[i + 1] = 40 + rng.int(30);
          data[i + 2] = 40 + rng.int(30);
        }
      }
    }
    const file = join(dir, `scene${s}.png`);
    await sharp(data, { raw: { width: size, height: size, channels: 3 } }).png().toFile(file);
    files.push(file);
  }
  return files;
}
