import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { buildAttack, DEFAULT_SETTINGS } from '../../../../src/engine/attacks/digital/catalog';
import { runImages } from '../../../../src/engine/attacks/digital/run-images';
import { loadModel } from '../../../../src/engine/models/loaded';
import { LOCK_FILE } from '../../../../src/engine/runs/lock';
import { linearClassifier, randomLinear } from '../../../helpers/linear-oracle';
import { writeLinearOnnx } from '../../../helpers/linear-onnx';
import { imageFixture, tempDir } from '../../../helpers/paths';

describe('digital attack --out folders have one writer', () => {
  it('refuses a folder another writer holds, leaves it untouched, and releases its own lock when done', async () => {
    const linear = randomLinear(16, 12, 4, 5);
    const model = await loadModel(writeLinearOnnx(linear, tempDir()));
    const { classifier } = await linearClassifier(linear);
    const options = { model, classifier, attack: buildAttack('fgsm', DEFAULT_SETTINGS), images: [imageFixture('dog.jpg')], batch: 1, judgeDraws: 1 };
    const busy = join(tempDir(), 'busy');
    mkdirSync(busy);
    // Another engine thread of this process is writing it (presumed live).
    writeFileSync(join(busy, LOCK_FILE), JSON.stringify({ pid: process.pid, thread: threadId + 1000, host: hostname(), processStarted: 0, acquired: 'now' }));
    await expect(runImages({ ...options, out: busy })).rejects.toThrow(/busy: run is in use by process/);
    expect(readdirSync(busy)).toEqual([LOCK_FILE]);
    const free = join(tempDir(), 'free');
    await runImages({ ...options, out: free });
    expect(existsSync(join(free, 'results.json'))).toBe(true);
    expect(existsSync(join(free, LOCK_FILE))).toBe(false);
  });
});
