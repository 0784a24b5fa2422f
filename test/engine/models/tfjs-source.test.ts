import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readModel } from '../../../src/engine/onnx/read';
import { findModel } from '../../../src/engine/models/registry';
import { loadModelBytes } from '../../../src/engine/models/sources';
import { tempDir } from '../../helpers/paths';

describe('TF.js sources: convert on first use, then the cache', () => {
  let saved: string | undefined;
  let cache: string;
  beforeEach(() => {
    saved = process.env.PATCHLAB_CACHE;
    cache = tempDir();
    process.env.PATCHLAB_CACHE = cache;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.PATCHLAB_CACHE;
    else process.env.PATCHLAB_CACHE = saved;
  });

  it('converts a built-in model once with a progress note, then serves the cached ONNX', async () => {
    const entry = findModel('liveness');
    if (!entry) throw new Error('liveness manifest missing');
    const notes: string[] = [];
    const first = await loadModelBytes(entry, (m) => notes.push(m));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^converting liveness from TF\.js to ONNX \(first use/);
    const files = readdirSync(join(cache, 'tfjs'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^liveness-[0-9a-f]{24}\.onnx$/);
    const second = await loadModelBytes(entry, (m) => notes.push(m));
    expect(notes).toHaveLength(1);
    expect(Buffer.compare(Buffer.from(first), Buffer.from(second))).toBe(0);
    expect(readModel(second).graph.outputs.map((o) => o.name)).toEqual(['Identity']);
  });

  it('keys the cache by the conversion options too: another cut is another file', async () => {
    const entry = findModel('centernet');
    if (!entry || entry.manifest.source.kind !== 'tfjs') throw new Error('centernet manifest missing');
    const cut = await loadModelBytes(entry);
    const whole = await loadModelBytes({ ...entry, manifest: { ...entry.manifest, source: { ...entry.manifest.source, outputs: undefined } } });
    expect(readModel(cut).graph.outputs.map((o) => o.name)).toEqual(['tower_0/keypoints', 'tower_0/wh']);
    expect(readModel(whole).graph.outputs.map((o) => o.name)).toEqual(['tower_0/wh', 'tower_0/keypoints', 'tower_0/detections']);
    expect(readdirSync(join(cache, 'tfjs'))).toHaveLength(2);
  });
});
