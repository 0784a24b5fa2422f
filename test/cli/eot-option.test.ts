import { describe, expect, it } from 'vitest';
import { parseEot } from '../../src/cli/eot-option';
import { EotSchema } from '../../src/engine/render/eot';

describe('--eot', () => {
  it('reads scene augmentation: crop=LOW:HIGH, flip=P, and off', () => {
    expect(parseEot('crop=0.6:1,flip=0.5')).toEqual({ sceneCrop: [0.6, 1], sceneFlip: 0.5 });
    expect(parseEot('crop=off,flip=off')).toEqual({ sceneCrop: [1, 1], sceneFlip: 0 });
  });

  it('rejects crop windows outside (0, 1] when the config is validated', () => {
    expect(EotSchema.safeParse({ sceneCrop: parseEot('crop=0.5:1.2').sceneCrop }).success).toBe(false);
    expect(EotSchema.safeParse({ sceneCrop: parseEot('crop=0:1').sceneCrop }).success).toBe(false);
  });
});
