import { describe, expect, it } from 'vitest';
import { resizeImage } from '../../../src/engine/image/resize';

describe('resizeImage at the same size', () => {
  it('returns the pixels untouched with an identity transform, in both modes', async () => {
    const image = { width: 5, height: 3, channels: 4 as const, data: new Uint8Array(60).map((_, i) => (i * 37) % 256) };
    for (const mode of ['stretch', 'letterbox'] as const) {
      const { image: out, transform } = await resizeImage(image, 5, 3, { mode });
      expect(out.data).toEqual(image.data);
      expect([out.width, out.height, out.channels]).toEqual([5, 3, 4]);
      expect(transform).toEqual({ scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 });
    }
  });
});
