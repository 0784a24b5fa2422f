import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { dHash, dHashOfGrey, hamming, NEAR_DUPLICATE_BITS } from '../../../src/engine/scenes/dhash';
import { imageFixture } from '../../helpers/paths';

const PEOPLE = ['group1.jpg', 'group2.jpg', 'group3.jpg', 'group4.jpg', 'group5.jpg', 'group6.jpg', 'person.jpg'].map(imageFixture);

describe('difference hash', () => {
  it('sets one bit per brighter-left neighbour pair', () => {
    // 3x2 grey: row 0 falls then rises, row 1 falls twice.
    expect(dHashOfGrey(new Uint8Array([9, 5, 7, 9, 5, 1]), 2)).toBe('b');
    expect(hamming('b', 'b')).toBe(0);
    expect(hamming('f0', '0f')).toBe(8);
  });

  it('the threshold holds re-encoded, brightened and softened copies of photos of people and parts different photos by a wide margin', async () => {
    const hashes = await Promise.all(PEOPLE.map((f) => dHash(f)));
    let copies = 0;
    for (const [i, f] of PEOPLE.entries()) {
      for (const copy of [await sharp(f).jpeg({ quality: 50 }).toBuffer(), await sharp(f).modulate({ brightness: 1.15 }).toBuffer(), await sharp(f).blur(1.5).toBuffer()]) {
        copies = Math.max(copies, hamming(hashes[i], await dHash(copy)));
      }
    }
    let different = Infinity;
    for (let i = 0; i < hashes.length; i++) for (let j = i + 1; j < hashes.length; j++) different = Math.min(different, hamming(hashes[i], hashes[j]));
    expect(copies).toBeLessThanOrEqual(NEAR_DUPLICATE_BITS);
    expect(different).toBeGreaterThan(4 * NEAR_DUPLICATE_BITS);
  });
});
