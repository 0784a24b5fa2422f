import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../errors';
import { writeFileAtomic } from '../../fs/atomic';
import { decodeImage, encodeImage } from '../../image/image';
import { addScenes } from '../../scenes/add';
import { hasManifest, readManifest, setDir } from '../../scenes/manifest';
import { countSplits } from '../../scenes/split';
import type { SceneSetInfo } from '../../../shared/index';
import type { CallHandler } from '../types';
import { listSceneSets } from './scenes';

/** `patchlab scenes info`: a managed set's scenes and people per split; a plain folder of images has no splits. */
export function sceneSetInfo(set: string): SceneSetInfo {
  if (hasManifest(set)) {
    const m = readManifest(set);
    return {
      name: m.name,
      managed: true,
      scenes: m.scenes.length,
      sources: Object.keys(m.sources).length,
      seed: m.seed,
      ...(m.detector ? { detector: { model: m.detector.model, class: m.detector.class, minScore: m.detector.minScore, ...(m.detector.pose ? { pose: m.detector.pose.model } : {}) } } : {}),
      splits: countSplits(m),
    };
  }
  const plain = listSceneSets().find((s) => s.id === set);
  if (!plain) throw new UserError(`unknown scene set '${set}'`);
  return { name: set, managed: false, scenes: plain.images.length, sources: plain.images.length };
}

export const sceneSetInfoHandler: CallHandler<'sceneSetInfo'> = async ({ set }) => sceneSetInfo(set);

/**
 * Webcam captures into a set through the engine's scenes code (`patchlab scenes add`): each call
 * is one source, so a recording lands whole in one split; a clip is kept in the set's folder as
 * the source its frames came from. A built-in set or a plain folder without a manifest is refused,
 * since its scenes have no sources to split by.
 */
export const recordScenesHandler: CallHandler<'recordScenes'> = async (p) => {
  const builtin = listSceneSets().find((s) => s.id === p.set && s.builtin);
  if (builtin) throw new UserError(`'${p.set}' is a built-in scene set; choose another name`);
  if (!hasManifest(p.set) && listSceneSets().some((s) => s.id === p.set)) throw new UserError(`scene set '${p.set}' is a plain folder of images without sources or splits; record into a new set`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const source = `webcam-${stamp}`;
  if (p.kind === 'clip') {
    const ext = p.clip.name.slice(p.clip.name.lastIndexOf('.')).toLowerCase();
    const clip = join(setDir(p.set), 'clips', `${source}${ext}`);
    writeFileAtomic(clip, p.clip.bytes);
    try {
      const result = await addScenes([clip], { set: p.set, source, ...(p.split ? { split: p.split } : {}), ...(p.fps !== undefined ? { fps: p.fps } : {}) });
      return { added: result.added, duplicates: result.duplicates, info: sceneSetInfo(p.set) };
    } catch (error) {
      rmSync(clip, { force: true });
      throw error;
    }
  }
  // Frames: decoded (only real images pass), then added from a scratch folder like photos on disk.
  const scratch = mkdtempSync(join(tmpdir(), 'patchlab-capture-'));
  try {
    const files: string[] = [];
    for (const [i, frame] of p.frames.entries()) {
      const file = join(scratch, `${source}-${String(i + 1).padStart(3, '0')}.jpg`);
      writeFileAtomic(file, await encodeImage(await decodeImage(frame.bytes, { label: frame.name }), 'jpeg', 95));
      files.push(file);
    }
    const result = await addScenes(files, { set: p.set, source, ...(p.split ? { split: p.split } : {}) });
    return { added: result.added, duplicates: result.duplicates, info: sceneSetInfo(p.set) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
};
