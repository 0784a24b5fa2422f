import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MAX_DECODED_PIXELS, decodeImage } from '../../../src/engine/image/image';
import { UserError } from '../../../src/engine/errors';
import { pngHeaderOnly } from '../../fuzz/hostile';

describe('image decode limits', () => {
  it('refuses an image with more pixels than the cap, naming its size, before decoding it', async () => {
    // 10000 x 10000 = 100 MP: under sharp's own default (268 MP), over ours.
    const big = pngHeaderOnly(10000, 10000);
    const attempt = decodeImage(big, { label: 'huge.png' });
    await expect(attempt).rejects.toThrow(UserError);
    await expect(decodeImage(big, { label: 'huge.png' })).rejects.toThrow(/huge\.png: 10000x10000 is 100 MP, more than the 67 MP patchlab decodes/);
    expect(MAX_DECODED_PIXELS).toBe(8192 * 8192);
  });

  it('still decodes an ordinary photo-sized image', async () => {
    const ok = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#123456' } }).png().toBuffer();
    expect(await decodeImage(ok)).toMatchObject({ width: 64, height: 48, channels: 3 });
  });
});
