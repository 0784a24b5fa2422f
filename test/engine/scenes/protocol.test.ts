import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addScenes } from '../../../src/engine/scenes/add';
import { assertCleanTest, seenScenes } from '../../../src/engine/scenes/protocol';
import { imageFixture, tempDir } from '../../helpers/paths';

let home: string;
const saved = process.env.PATCHLAB_HOME;
beforeEach(async () => {
  home = tempDir('patchlab-protocol-');
  process.env.PATCHLAB_HOME = home;
  await addScenes([imageFixture('group1.jpg'), imageFixture('group2.jpg')], { set: 'p', split: 'train' });
  await addScenes([imageFixture('group3.jpg')], { set: 'p', split: 'val' });
  await addScenes([imageFixture('group4.jpg'), imageFixture('person.jpg')], { set: 'p', split: 'test' });
});
afterEach(() => {
  if (saved === undefined) delete process.env.PATCHLAB_HOME;
  else process.env.PATCHLAB_HOME = saved;
});

describe('eval on a test split', () => {
  it('accepts a run trained on train and validated on val', async () => {
    const seen = await seenScenes(['set:p:train', 'set:p:val'], []);
    expect(seen.dhashes).toHaveLength(3);
    expect(() => assertCleanTest('set:p:test', seen, 'run R')).not.toThrow();
  });

  it('refuses a run whose training or validation scenes include the test split, by name', async () => {
    expect(() => assertCleanTest('set:p:test', { specs: ['set:p'], dhashes: [] }, 'run R')).toThrow(/run R used set:p for training or validation, which holds the test split/);
    expect(() => assertCleanTest('set:p:test', { specs: ['set:p:train', 'set:p:test'], dhashes: [] }, 'run R')).toThrow(/set:p:test/);
  });

  it('refuses a run that trained on a copy of a test picture in a plain folder', async () => {
    const dir = tempDir('patchlab-copy-');
    const copy = join(dir, 'copy.jpg');
    await sharp(imageFixture('person.jpg')).jpeg({ quality: 70 }).toFile(copy);
    const seen = await seenScenes([dir], [copy, imageFixture('dog.jpg')]);
    expect(() => assertCleanTest('set:p:test', seen, 'run R')).toThrow(/1 test scene\(s\) were among run R's training or validation pictures \(person.jpg\)/);
    // Other splits and plain folders are not gated.
    expect(() => assertCleanTest('set:p:val', seen, 'run R')).not.toThrow();
    expect(() => assertCleanTest(dir, seen, 'run R')).not.toThrow();
    expect(() => assertCleanTest('set:p:test', undefined, 'run R')).toThrow(/does not say which scenes/);
  });
});
