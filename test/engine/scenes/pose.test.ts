import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src/engine/image/image';
import { KEYPOINT, movenetEstimator } from '../../../src/engine/scenes/pose';
import { imageFixture } from '../../helpers/paths';

describe('movenet on a person box', () => {
  it('finds shoulders above hips, inside the box, in image pixels', async () => {
    const image = await decodeImage(imageFixture('person.jpg'));
    const estimator = await movenetEstimator();
    try {
      // The whole photo as the box, then the same person through a box shifted off the image's origin.
      const whole = await estimator.estimate(image, [0, 0, image.width, image.height]);
      const { leftShoulder: ls, rightShoulder: rs, leftHip: lh, rightHip: rh } = KEYPOINT;
      for (const k of [ls, rs, lh, rh]) expect(whole[k][2], `keypoint ${k} confidence`).toBeGreaterThan(0.3);
      expect(Math.max(whole[ls][1], whole[rs][1])).toBeLessThan(Math.min(whole[lh][1], whole[rh][1]));
      for (const [x, y] of whole) {
        expect(x).toBeGreaterThan(-1);
        expect(x).toBeLessThan(image.width + 1);
        expect(y).toBeGreaterThan(-1);
        expect(y).toBeLessThan(image.height + 1);
      }
      const shifted = await estimator.estimate(image, [image.width * 0.1, image.height * 0.05, image.width * 0.95, image.height]);
      // A different crop moves a keypoint by a few pixels (the person is ~20 px wide here), not by the crop's offset (48 px).
      for (const k of [ls, rs, lh, rh]) expect(Math.hypot(shifted[k][0] - whole[k][0], shifted[k][1] - whole[k][1])).toBeLessThan(0.02 * image.width);
    } finally {
      await estimator.dispose();
    }
  }, 60_000);
});
