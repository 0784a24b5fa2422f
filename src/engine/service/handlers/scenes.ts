import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { UserError } from '../../errors';
import { writeFileAtomic } from '../../fs/atomic';
import { decodeImage, encodeImage } from '../../image/image';
import { patchlabHome, resourcesDir } from '../../paths';
import type { SceneSet } from '../../../shared/index';
import type { CallHandler } from '../types';

const IMAGE = /\.(jpe?g|png|webp)$/i;

/** Scene sets shipped with patchlab: resources/scenes/<id>/ (read-only). */
export function builtinScenesDir(): string {
  return join(resourcesDir(), 'scenes');
}

/** Scene sets the user made (uploads, webcam captures): $PATCHLAB_HOME/scenes/<id>/. */
export function userScenesDir(): string {
  return join(patchlabHome(), 'scenes');
}

function imagesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => IMAGE.test(f)).sort() : [];
}

function setsIn(root: string, builtin: boolean): SceneSet[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ id: d.name, title: readTitle(join(root, d.name)) ?? d.name, builtin, images: imagesIn(join(root, d.name)) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

function readTitle(dir: string): string | undefined {
  const file = join(dir, 'title.txt');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

export function listSceneSets(): SceneSet[] {
  const builtins = setsIn(builtinScenesDir(), true);
  const taken = new Set(builtins.map((s) => s.id));
  return [...builtins, ...setsIn(userScenesDir(), false).filter((s) => !taken.has(s.id))];
}

/** The folder holding a scene set's images; ids are validated slugs, so they cannot escape the root. */
export function sceneSetDir(id: string): string {
  const set = listSceneSets().find((s) => s.id === id);
  if (!set) throw new UserError(`unknown scene set '${id}'`);
  return join(set.builtin ? builtinScenesDir() : userScenesDir(), id);
}

export const listSceneSetsHandler: CallHandler<'listSceneSets'> = async () => ({ sets: listSceneSets() });

export const readSceneHandler: CallHandler<'readScene'> = async ({ set, image, maxSide }) => {
  const path = join(sceneSetDir(set), image);
  if (!IMAGE.test(image) || !existsSync(path)) throw new UserError(`scene set '${set}' has no image '${image}'`);
  if (!maxSide) return { bytes: readFileSync(path), mime: image.toLowerCase().endsWith('.png') ? 'image/png' : image.toLowerCase().endsWith('.webp') ? 'image/webp' : 'image/jpeg' };
  const bytes = await sharp(path).rotate().resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer();
  return { bytes, mime: 'image/jpeg' };
};

export const addScenesHandler: CallHandler<'addScenes'> = async ({ set, images }) => {
  if (listSceneSets().some((s) => s.id === set && s.builtin)) throw new UserError(`'${set}' is a built-in scene set; choose another name`);
  const dir = join(userScenesDir(), set);
  for (const { name, bytes } of images) {
    // Re-encode what arrived so only real images land in a scene set.
    const decoded = await decodeImage(bytes, { label: name });
    const stem = name.replace(/\.[^.]*$/, '');
    writeFileAtomic(join(dir, `${stem}.jpg`), await encodeImage(decoded, 'jpeg', 92));
  }
  const saved = listSceneSets().find((s) => s.id === set);
  if (!saved) throw new Error(`scene set '${set}' was not written`);
  return { set: saved };
};
